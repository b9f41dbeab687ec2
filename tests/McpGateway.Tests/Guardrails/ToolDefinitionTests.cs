using System.Text.Json.Nodes;
using McpGateway.Guardrails;

namespace McpGateway.Tests.Guardrails;

public sealed class ToolDefinitionTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Canonical_KeyOrderAndWhitespace_DoNotChangeTheHash()
    {
        var a = Parse("""{"name":"t","inputSchema":{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}},"description":"d"}""");
        var b = Parse("""{ "description" : "d", "name": "t", "inputSchema": { "properties": { "a": {"type":"integer"}, "b": {"type":"string"} }, "type": "object" } }""");

        ToolDefinition.Canonical(a).Should().Be("""{"description":"d","inputSchema":{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"},"name":"t"}""");
        ToolDefinition.Hash(ToolDefinition.Canonical(a)).Should().Be(ToolDefinition.Hash(ToolDefinition.Canonical(b)));
    }

    [Fact]
    public void Canonical_MetaAndUnpinnedFields_AreLeftOut_PinnedOnesAreIn()
    {
        var plain = Parse("""{"name":"t"}""");
        var meta = Parse("""{"name":"t","_meta":{"x":1},"icons":[]}""");
        var annotated = Parse("""{"name":"t","annotations":{"destructiveHint":true}}""");
        var titled = Parse("""{"name":"t","title":"T"}""");
        var output = Parse("""{"name":"t","outputSchema":{"type":"object"}}""");

        var hash = ToolDefinition.Hash(ToolDefinition.Canonical(plain));
        ToolDefinition.Hash(ToolDefinition.Canonical(meta)).Should().Be(hash);
        new[] { annotated, titled, output }.Select(t => ToolDefinition.Hash(ToolDefinition.Canonical(t))).Should().NotContain(hash).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void Diff_DescriptionAndSchemaAndAnnotations_NamesFieldsAndPaths_TruncatesLongText()
    {
        var before = ToolDefinition.Canonical(Parse("""{"name":"t","description":"short","inputSchema":{"type":"object","properties":{"a":{"type":"string"}}},"annotations":{"readOnlyHint":true}}"""));
        var after = ToolDefinition.Canonical(Parse("{\"name\":\"t\",\"description\":\"" + new string('x', 300) + "\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{}}},\"annotations\":{\"readOnlyHint\":false}}"));

        var diff = ToolDefinitionDiff.Describe(before, after);

        diff.Should().Contain("annotations changed at /readOnlyHint")
            .And.Contain($"description: \"short\" -> \"{new string('x', 160)}\"…(+140 chars)")
            .And.Contain("inputSchema changed at /properties/a/type, /properties/b (added)");
    }
}
