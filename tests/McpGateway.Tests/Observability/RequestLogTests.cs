using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.Observability;

/// <summary>Event 3100: one structured line per completed client request, without payloads.</summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task ToolCall_Completed_LogsEvent3100WithStructuredProperties()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var caller = SpanRecorder.NewCallerContext();

        await client.PostAsync(
            client.Request("tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "payload-text" } }),
            r => r.Headers.Add("traceparent", caller.TraceParent));

        var line = await gateway.Logs.WaitForEventAsync(3100, l => (string?)l.Property("Method") == "tools/call");
        line.Level.Should().Be(LogLevel.Information);
        line.Property("ClientId").Should().Be("anonymous");
        line.Property("Tenant").Should().BeNull();
        line.Property("View").Should().Be("");
        line.Property("Server").Should().Be("demo");
        line.Property("Tool").Should().Be("echo");
        line.Property("Status").Should().Be("ok");
        line.Property("DurationMs").Should().BeOfType<double>().Which.Should().BeGreaterThan(0);
        line.Property("TraceId").Should().Be(caller.TraceId.ToHexString());
        line.Message.Should().NotContain("payload-text");
        gateway.Logs.Lines.Where(l => l.IsGateway && l.EventId == 3100).Should().Contain(l => (string?)l.Property("Method") == "initialize");
    }
}
