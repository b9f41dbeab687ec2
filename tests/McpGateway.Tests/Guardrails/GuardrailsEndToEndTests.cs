using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;
using static McpGateway.Tests.TestSupport.McpCalls;

namespace McpGateway.Tests.Guardrails;

/// <summary>Argument validation, blocked tools and redaction through a real gateway, real stdio demo servers and a recording HTTP upstream.</summary>
public sealed class GuardrailsEndToEndTests
{
    [Fact]
    public async Task Passthrough_CallBeforeAnyListWithBadArguments_GetsInvalidParamsWithPath_AndUpstreamNeverSeesIt()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"mcpServers:\n  rec:\n    url: {upstream.Endpoint}\n");
        var client = await ConnectAsync(gateway, "servers/rec/mcp");

        var tooMany = await client.CallAsync("tools/call", Call("bounded", new JsonObject { ["count"] = 11 }));
        var badItem = await client.CallAsync("tools/call", Call("bounded", new JsonObject { ["count"] = 1, ["tags"] = new JsonArray("a", 2) }));
        var missing = await client.CallAsync("tools/call", Call("bounded"));
        var refusedCalls = upstream.ToolCalls.ToArray();
        var good = await client.CallAsync("tools/call", Call("bounded", new JsonObject { ["count"] = 10 }));

        ((int?)tooMany["error"]!["code"]).Should().Be(-32602);
        ((string?)tooMany["error"]!["message"]).Should().Be("Invalid params: argument /count: must be <= 10");
        ((string?)tooMany["error"]!["data"]!["path"]).Should().Be("/count");
        ((string?)tooMany["error"]!["data"]!["keyword"]).Should().Be("maximum");
        ((string?)tooMany["error"]!["data"]!["message"]).Should().Be("must be <= 10");
        ((string?)badItem["error"]!["data"]!["path"]).Should().Be("/tags/1");
        ((string?)missing["error"]!["message"]).Should().Be("Invalid params: argument /count: is required");
        refusedCalls.Should().BeEmpty("refused arguments must never reach the upstream");
        Text(good).Should().Be("served tools/call");
        upstream.ToolCalls.Should().Equal("bounded");
    }

    [Fact]
    public async Task Passthrough_ServerWithValidateArgumentsFalse_ForwardsBadArguments()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"mcpServers:\n  rec:\n    url: {upstream.Endpoint}\n    validateArguments: false\n");
        var client = await ConnectAsync(gateway, "servers/rec/mcp");

        var answer = await client.CallAsync("tools/call", Call("bounded", new JsonObject { ["count"] = 11 }));

        Text(answer).Should().Be("served tools/call");
        upstream.ToolCalls.Should().Equal("bounded");
    }

    [Fact]
    public async Task View_BadArgumentsToAPrefixedTool_GetInvalidParams_GoodOnesAreServed()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("demo") + "virtualServers:\n  math:\n    servers: [demo]\n");
        var client = await ConnectAsync(gateway, "virtual/math/mcp");

        var wrongType = await client.CallAsync("tools/call", Call("demo__add", new JsonObject { ["a"] = "one", ["b"] = 2 }));
        var missing = await client.CallAsync("tools/call", Call("demo__add", new JsonObject { ["a"] = 1 }));
        var good = await client.CallAsync("tools/call", Call("demo__add", new JsonObject { ["a"] = 1, ["b"] = 2 }));

        ((int?)wrongType["error"]!["code"]).Should().Be(-32602);
        ((string?)wrongType["error"]!["message"]).Should().Be("Invalid params: argument /a: must be a number");
        ((string?)wrongType["error"]!["data"]!["keyword"]).Should().Be("type");
        ((string?)missing["error"]!["data"]!["path"]).Should().Be("/b");
        Text(good).Should().Be("3");
        gateway.Logs.CountEvents(6101).Should().Be(2);
    }

    [Fact]
    public async Task GlobalValidateArgumentsFalse_LetsTheUpstreamJudge()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"guardrails: {{ validateArguments: false }}\nmcpServers:\n  rec:\n    url: {upstream.Endpoint}\n");
        var client = await ConnectAsync(gateway, "mcp");

        var answer = await client.CallAsync("tools/call", Call("rec__bounded", new JsonObject { ["count"] = "many" }));

        Text(answer).Should().Be("served tools/call");
    }

    [Fact]
    public async Task BlockedTool_IsInNoListAndCallsGetTheUnknownToolError_OnEveryEndpoint()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            "guardrails:\n  blockedTools: [\"*__add\", \"demo__echo_p*\"]\nmcpServers:\n" + GatewayHarness.DemoServer("demo")
            + "virtualServers:\n  plain:\n    servers: [demo]\n    naming: none\n");
        var aggregate = await ConnectAsync(gateway, "mcp");
        var plain = await ConnectAsync(gateway, "virtual/plain/mcp");
        var passthrough = await ConnectAsync(gateway, "servers/demo/mcp");

        var aggregateNames = await ToolNamesAsync(aggregate);
        var plainNames = await ToolNamesAsync(plain);
        var passthroughNames = await ToolNamesAsync(passthrough);
        var prefixed = await aggregate.CallAsync("tools/call", Call("demo__add", new JsonObject { ["a"] = 1, ["b"] = 2 }));
        var unprefixed = await plain.CallAsync("tools/call", Call("add", new JsonObject { ["a"] = 1, ["b"] = 2 }));
        var direct = await passthrough.CallAsync("tools/call", Call("add", new JsonObject { ["a"] = 1, ["b"] = 2 }));
        var unknown = await aggregate.CallAsync("tools/call", Call("demo__no_such_tool"));

        aggregateNames.Should().Contain("demo__echo").And.NotContain(["demo__add", "demo__echo_params"]);
        plainNames.Should().Contain("echo").And.NotContain(["add", "echo_params"]);
        passthroughNames.Should().Contain("echo").And.NotContain(["add", "echo_params"]);
        ((string?)prefixed["error"]!["message"]).Should().Be("Unknown tool: demo__add");
        ((string?)unprefixed["error"]!["message"]).Should().Be("Unknown tool: add");
        ((string?)direct["error"]!["message"]).Should().Be("Unknown tool: add");
        foreach (var refused in new[] { prefixed, unprefixed, direct })
        {
            ((int?)refused["error"]!["code"]).Should().Be((int?)unknown["error"]!["code"], "a blocked tool must look like one that does not exist");
            refused["error"]!["data"].Should().BeNull();
        }
    }

    [Fact]
    public async Task Redaction_MasksEmailCardAndKeyInOneView_NotInAViewWithRedactFalse_AndCountsThem()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            "guardrails:\n  redact: { detectors: [email, creditCard, apiKey], patterns: [{ name: ticket, regex: \"TCK-[0-9]+\" }] }\nmcpServers:\n"
            + GatewayHarness.DemoServer("demo")
            + "virtualServers:\n  safe:\n    servers: [demo]\n  open:\n    servers: [demo]\n    redact: false\n");
        var safe = await ConnectAsync(gateway, "virtual/safe/mcp");
        var open = await ConnectAsync(gateway, "virtual/open/mcp");
        const string secret = "mail bob@example.com, card 4111 1111 1111 1111, not a card 4111 1111 1111 1112, key AKIAIOSFODNN7EXAMPLE, TCK-42";

        var masked = Text(await safe.CallAsync("tools/call", Call("demo__echo", new JsonObject { ["message"] = secret })));
        var structured = await safe.CallAsync("tools/call", Call("demo__echo_params", new JsonObject { ["nested"] = new JsonArray("ghp_" + new string('a', 36)) }));
        var clear = Text(await open.CallAsync("tools/call", Call("demo__echo", new JsonObject { ["message"] = secret })));
        var metrics = PrometheusTextParser.Parse(await gateway.Http.GetStringAsync("metrics"));

        masked.Should().Be("mail [REDACTED:email], card [REDACTED:creditCard], not a card 4111 1111 1111 1112, key [REDACTED:apiKey], [REDACTED:ticket]");
        ((string?)structured["result"]!["structuredContent"]!["nested"]![0]).Should().Be("[REDACTED:apiKey]");
        clear.Should().Be(secret);
        metrics.Value("mcp_guardrail_redactions_total", ("detector", "email")).Should().Be(1);
        metrics.Value("mcp_guardrail_redactions_total", ("detector", "apiKey")).Should().Be(2);
        gateway.Logs.Lines.Should().NotContain(l => l.Message.Contains("bob@example.com"));
    }
}
