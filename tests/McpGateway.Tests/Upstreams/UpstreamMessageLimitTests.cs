using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Upstreams;

/// <summary>
/// <c>maxMessageBytes</c>: an upstream that answers with more than it may send fails that request with a clear error
/// (nothing is buffered without bound), and the gateway keeps serving every other server.
/// </summary>
public sealed class UpstreamMessageLimitTests
{
    [Fact]
    public async Task StdioServer_LineOverTheLimit_RequestFailsNamingTheLimit_OtherServersServe()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("small", "maxMessageBytes: 4096") + GatewayHarness.DemoServer("other"));
        var small = await McpCalls.ConnectAsync(gateway, "servers/small/mcp");
        var other = await McpCalls.ConnectAsync(gateway, "servers/other/mcp");

        var oversized = await small.CallAsync("tools/call", McpCalls.Call("echo", new JsonObject { ["message"] = new string('x', 10_000) }));
        var fine = await other.CallAsync("tools/call", McpCalls.Call("echo", new JsonObject { ["message"] = new string('y', 10_000) }));

        ((string?)oversized["error"]?["message"]).Should().Contain("maxMessageBytes").And.Contain("4096");
        McpCalls.Text(fine).Should().HaveLength(10_000);
        (await gateway.Logs.WaitForEventAsync(1016)).Message.Should().Contain("[small]");
    }

    [Fact]
    public async Task StdioServer_AnswerUnderTheLimit_Passes()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("small", "maxMessageBytes: 4096"));
        var small = await McpCalls.ConnectAsync(gateway, "servers/small/mcp");

        var answer = await small.CallAsync("tools/call", McpCalls.Call("echo", new JsonObject { ["message"] = new string('x', 1000) }));

        McpCalls.Text(answer).Should().HaveLength(1000);
    }

    [Fact]
    public async Task HttpServer_AnswerOverTheLimit_RequestFailsNamingTheLimit_OtherServersServe()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              remote: {"{"} url: "{upstream.Endpoint}", maxMessageBytes: 8192 {"}"}
            {GatewayHarness.DemoServer("other")}
            """);
        var remote = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");
        var other = await McpCalls.ConnectAsync(gateway, "servers/other/mcp");

        var oversized = await remote.CallAsync("tools/call", McpCalls.Call("huge"));
        var small = await remote.CallAsync("tools/call", McpCalls.Call("whoami"));
        var fine = await other.CallAsync("tools/call", McpCalls.Call("echo", new JsonObject { ["message"] = "still here" }));

        ((string?)oversized["error"]?["message"]).Should().Contain("maxMessageBytes").And.Contain("8192");
        McpCalls.Text(small).Should().Be("served tools/call", "the limit is per message, the server stays usable");
        McpCalls.Text(fine).Should().Be("still here");
    }

    [Fact]
    public void Config_MaxMessageBytesMustBePositive()
    {
        var result = ConfigLoading.Load("mcpServers:\n  a: { command: x, maxMessageBytes: 0 }\n");

        ConfigLoading.SingleError(result).Key.Should().Be("mcpServers.a.maxMessageBytes");
    }
}
