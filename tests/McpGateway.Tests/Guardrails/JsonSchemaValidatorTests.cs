using System.Text.Json.Nodes;
using McpGateway.Guardrails;

namespace McpGateway.Tests.Guardrails;

/// <summary>The inputSchema subset, keyword by keyword: a valid instance passes, an invalid one names path and keyword.</summary>
public sealed class JsonSchemaValidatorTests
{
    private static SchemaViolation? Check(string schema, string instance) =>
        JsonSchemaValidator.Compile(JsonNode.Parse(schema)).Validate(JsonNode.Parse(instance));

    [Theory]
    [InlineData("""{"type":"string"}""", "\"x\"")]
    [InlineData("""{"type":"integer"}""", "3")]
    [InlineData("""{"type":"integer"}""", "3.0")]
    [InlineData("""{"type":"number"}""", "3.5")]
    [InlineData("""{"type":["string","null"]}""", "null")]
    [InlineData("""{"type":"boolean"}""", "false")]
    [InlineData("""{"type":"array"}""", "[]")]
    [InlineData("""{"type":"object","required":["a"],"properties":{"a":{"type":"string"}}}""", """{"a":"x","b":1}""")]
    [InlineData("""{"additionalProperties":false,"properties":{"a":{}}}""", """{"a":1}""")]
    [InlineData("""{"additionalProperties":{"type":"number"}}""", """{"a":1,"b":2.5}""")]
    [InlineData("""{"enum":["red",1,null]}""", "1")]
    [InlineData("""{"const":{"k":[1]}}""", """{"k":[1]}""")]
    [InlineData("""{"items":{"type":"string"},"minItems":1,"maxItems":2,"uniqueItems":true}""", """["a","b"]""")]
    [InlineData("""{"minLength":2,"maxLength":3}""", "\"\uD83D\uDE00\uD83D\uDE00\"")]
    [InlineData("""{"pattern":"^[a-z]+$"}""", "\"abc\"")]
    [InlineData("""{"minimum":1,"maximum":10}""", "10")]
    [InlineData("""{"exclusiveMinimum":1,"exclusiveMaximum":10}""", "9.5")]
    [InlineData("""{"minimum":1,"exclusiveMinimum":true}""", "1.5")]
    [InlineData("""{"multipleOf":0.1}""", "0.3")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"number"}]}""", "2")]
    [InlineData("""{"oneOf":[{"type":"string"},{"type":"number"}]}""", "\"s\"")]
    [InlineData("""{"allOf":[{"type":"number"},{"minimum":0}]}""", "0")]
    [InlineData("""{"not":{"type":"string"}}""", "1")]
    [InlineData("""{"$defs":{"n":{"type":"number"}},"properties":{"a":{"$ref":"#/$defs/n"}}}""", """{"a":1}""")]
    [InlineData("""{"format":"email","x-unknown":{"type":"number"}}""", "\"not an email\"")]
    [InlineData("""{"pattern":"(unclosed"}""", "\"anything\"")]
    [InlineData("true", "{}")]
    public void Validate_ValidInstance_ReturnsNull(string schema, string instance) =>
        Check(schema, instance).Should().BeNull();

    [Theory]
    [InlineData("""{"type":"string"}""", "1", "", "type", "must be a string")]
    [InlineData("""{"type":"integer"}""", "3.5", "", "type", "must be an integer")]
    [InlineData("""{"type":["string","null"]}""", "1", "", "type", "must be one of string, null")]
    [InlineData("""{"type":"object","required":["a"]}""", "{}", "/a", "required", "is required")]
    [InlineData("""{"properties":{"a":{"type":"string"}}}""", """{"a":2}""", "/a", "type", "must be a string")]
    [InlineData("""{"additionalProperties":false,"properties":{"a":{}}}""", """{"a":1,"b":2}""", "/b", "additionalProperties", "is not an accepted property")]
    [InlineData("""{"additionalProperties":{"type":"number"}}""", """{"a":"x"}""", "/a", "type", "must be a number")]
    [InlineData("""{"enum":["red","green"]}""", "\"blue\"", "", "enum", "must be one of \"red\", \"green\"")]
    [InlineData("""{"const":5}""", "6", "", "const", "must be 5")]
    [InlineData("""{"items":{"type":"string"}}""", """["a",2]""", "/1", "type", "must be a string")]
    [InlineData("""{"minItems":2}""", "[1]", "", "minItems", "must have at least 2 items")]
    [InlineData("""{"maxItems":1}""", "[1,2]", "", "maxItems", "must have at most 1 items")]
    [InlineData("""{"uniqueItems":true}""", """[{"a":1},{"a":1}]""", "/1", "uniqueItems", "must not repeat item 0")]
    [InlineData("""{"minLength":3}""", "\"ab\"", "", "minLength", "must be at least 3 characters long")]
    [InlineData("""{"maxLength":1}""", "\"\uD83D\uDE00\uD83D\uDE00\"", "", "maxLength", "must be at most 1 characters long")]
    [InlineData("""{"pattern":"^[a-z]+$"}""", "\"ab1\"", "", "pattern", "must match the pattern ^[a-z]+$")]
    [InlineData("""{"minimum":1}""", "0", "", "minimum", "must be >= 1")]
    [InlineData("""{"maximum":10}""", "11", "", "maximum", "must be <= 10")]
    [InlineData("""{"exclusiveMinimum":1}""", "1", "", "exclusiveMinimum", "must be > 1")]
    [InlineData("""{"exclusiveMaximum":10}""", "10", "", "exclusiveMaximum", "must be < 10")]
    [InlineData("""{"maximum":10,"exclusiveMaximum":true}""", "10", "", "exclusiveMaximum", "must be < 10")]
    [InlineData("""{"multipleOf":0.1}""", "0.35", "", "multipleOf", "must be a multiple of 0.1")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"number"}]}""", "true", "", "anyOf", "must match at least one of the 2 allowed schemas (the first says: must be a string)")]
    [InlineData("""{"oneOf":[{"type":"number"},{"minimum":0}]}""", "1", "", "oneOf", "must match exactly one of the 2 allowed schemas, and matches 2")]
    [InlineData("""{"allOf":[{"type":"number"},{"minimum":0}]}""", "-1", "", "minimum", "must be >= 0")]
    [InlineData("""{"not":{"type":"string"}}""", "\"s\"", "", "not", "must not match the excluded schema")]
    [InlineData("""{"definitions":{"n":{"type":"number"}},"properties":{"a":{"$ref":"#/definitions/n"}}}""", """{"a":"x"}""", "/a", "type", "must be a number")]
    [InlineData("false", "{}", "", "false", "is not allowed")]
    public void Validate_InvalidInstance_NamesPathKeywordAndFix(string schema, string instance, string path, string keyword, string message) =>
        Check(schema, instance).Should().Be(new SchemaViolation(path, keyword, message));

    [Fact]
    public void Validate_NestedViolation_PointsThroughObjectsAndArrays()
    {
        const string schema = """
            {"type":"object","properties":{"a":{"type":"array","items":{"type":"object","properties":{"b":{"type":"integer","maximum":10}}}}}}
            """;

        var violation = Check(schema, """{"a":[{"b":1},{"b":11}]}""");

        violation.Should().Be(new SchemaViolation("/a/1/b", "maximum", "must be <= 10"));
    }

    [Fact]
    public void Validate_RecursiveRef_FollowsTheDefinitionToAnyDepth()
    {
        const string schema = """
            {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"value":{"type":"number"},"next":{"$ref":"#/$defs/node"}}}}}
            """;

        Check(schema, """{"value":1,"next":{"value":2,"next":{"value":3}}}""").Should().BeNull();
        Check(schema, """{"value":1,"next":{"value":2,"next":{"value":"three"}}}""").Should().Be(new SchemaViolation("/next/next/value", "type", "must be a number"));
    }

    [Fact]
    public void Validate_NullableProperty_AcceptsNullAndTheType_RefusesOthers()
    {
        const string schema = """{"properties":{"note":{"type":["string","null"],"maxLength":3}}}""";

        Check(schema, """{"note":null}""").Should().BeNull();
        Check(schema, """{"note":"abc"}""").Should().BeNull();
        Check(schema, """{"note":"abcd"}""")!.Keyword.Should().Be("maxLength");
        Check(schema, """{"note":1}""")!.Keyword.Should().Be("type");
    }

    [Fact]
    public void Validate_PropertyNameWithSlashOrTilde_IsEscapedInThePointer()
    {
        var violation = Check("""{"required":["a/b~c"]}""", "{}");

        violation!.Path.Should().Be("/a~1b~0c");
    }

    [Fact]
    public void Validate_CatastrophicPattern_TimesOutAsAViolationInsteadOfHanging()
    {
        var violation = Check("""{"pattern":"^(a+)+$"}""", "\"" + new string('a', 40) + "!\"");

        violation!.Keyword.Should().Be("pattern");
    }
}
