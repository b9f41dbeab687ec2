using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Observability;

/// <summary>The metrics a real gateway records on the request path, read through a listener scoped to that gateway.</summary>
public sealed class GatewayMetricsTests
{
    private const string Requests = "mcp_gateway_requests";
    private const string ToolCalls = "mcp_gateway_tool_calls";

    private static JsonObject Call(string tool, JsonObject? arguments = null) => new() { ["name"] = tool, ["arguments"] = arguments ?? new JsonObject() };

    [Fact]
    public async Task ToolCall_ThroughServerEndpoint_CountsRequestToolDurationSizeAndLatency()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        using var metrics = new MetricRecorder(gateway.Services);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        await client.CallAsync("tools/list");

        await client.CallAsync("tools/call", Call("echo", new JsonObject { ["message"] = "secret-argument" }));

        metrics.Sum(Requests, ("view", ""), ("server", "demo"), ("method", "tools/call"), ("outcome", "ok")).Should().Be(1);
        metrics.Sum(Requests, ("server", "demo"), ("method", "initialize"), ("outcome", "ok")).Should().Be(1);
        metrics.Sum(ToolCalls, ("server", "demo"), ("tool", "echo"), ("outcome", "ok")).Should().Be(1);
        var duration = metrics.Of("mcp_gateway_request_duration_seconds", ("server", "demo"), ("method", "tools/call"), ("outcome", "ok")).Should().ContainSingle().Subject;
        duration.Unit.Should().Be("s");
        duration.Value.Should().BeGreaterThan(0).And.BeLessThan(30);
        metrics.Of("mcp_gateway_request_size_bytes", ("server", "demo"), ("method", "tools/call")).Should().ContainSingle()
            .Which.Value.Should().BeGreaterThan(50);
        metrics.Of("mcp_server_latency_seconds", ("server", "demo"), ("method", "tools/call")).Should().ContainSingle();

        // Bounded labels: no argument values and no session ids anywhere.
        metrics.Measurements.SelectMany(m => m.Tags.Values).Should().NotContain(v => v != null && (v.Contains("secret-argument") || v == client.SessionId));
    }

    [Fact]
    public async Task ToolCall_UnlistedToolAndUpstreamError_CountsErrorUnderOtherTool()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        using var metrics = new MetricRecorder(gateway.Services);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();

        var answer = await client.CallAsync("tools/call", Call("no_such_tool_" + Guid.NewGuid().ToString("N")));

        answer["error"].Should().NotBeNull(answer.ToJsonString());
        metrics.Sum(Requests, ("server", "demo"), ("method", "tools/call"), ("outcome", "error")).Should().Be(1);
        metrics.Sum(ToolCalls, ("server", "demo"), ("tool", "other"), ("outcome", "error")).Should().Be(1);
    }

    [Fact]
    public async Task UnknownMethod_IsCountedAsOther()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        using var metrics = new MetricRecorder(gateway.Services);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();

        await client.CallAsync("vendor/" + Guid.NewGuid().ToString("N"));

        metrics.Sum(Requests, ("server", "demo"), ("method", "other"), ("outcome", "error")).Should().Be(1);
    }

    [Fact]
    public async Task ToolCall_ThroughView_LabelsViewAndMemberServer()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
            {GatewayHarness.DemoServer("alpha")}
            {GatewayHarness.DemoServer("beta")}
            virtualServers:
              team:
                servers: [alpha, beta]
            """);
        using var metrics = new MetricRecorder(gateway.Services);
        var view = new McpHttpTestClient(gateway.Http, new Uri(gateway.BaseAddress, "virtual/team/mcp"));
        var all = new McpHttpTestClient(gateway.Http, new Uri(gateway.BaseAddress, "mcp"));
        await view.InitializeAsync();
        await all.InitializeAsync();

        var answer = await view.CallAsync("tools/call", Call("beta__echo", new JsonObject { ["message"] = "hi" }));
        await all.CallAsync("tools/call", Call("alpha__echo", new JsonObject { ["message"] = "hi" }));
        await view.CallAsync("tools/list");

        answer["result"].Should().NotBeNull(answer.ToJsonString());
        metrics.Sum(Requests, ("view", "team"), ("server", "beta"), ("method", "tools/call"), ("outcome", "ok")).Should().Be(1);
        metrics.Sum(Requests, ("view", "default"), ("server", "alpha"), ("method", "tools/call"), ("outcome", "ok")).Should().Be(1);
        metrics.Sum(Requests, ("view", "team"), ("server", ""), ("method", "tools/list"), ("outcome", "ok")).Should().Be(1);
        metrics.Sum(ToolCalls, ("server", "beta"), ("tool", "echo"), ("outcome", "ok")).Should().Be(1);
        metrics.Sum(ToolCalls, ("server", "alpha"), ("tool", "echo"), ("outcome", "ok")).Should().Be(1);
    }

    [Fact]
    public async Task HungUpstream_CountsTimeoutOutcome()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
            {GatewayHarness.DemoServer("demo", "requestTimeout: 300ms")}
            """);
        using var metrics = new MetricRecorder(gateway.Services);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        await client.CallAsync("tools/list");

        var answer = await client.CallAsync("tools/call", Call("hang"));

        ((int?)answer["error"]?["code"]).Should().Be(-32001, answer.ToJsonString());
        metrics.Sum(Requests, ("server", "demo"), ("method", "tools/call"), ("outcome", "timeout")).Should().Be(1);
        metrics.Sum(ToolCalls, ("server", "demo"), ("tool", "hang"), ("outcome", "timeout")).Should().Be(1);
    }

    [Fact]
    public async Task Sessions_OpenedAndClosed_MoveSessionsActiveUpAndDown()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
            {GatewayHarness.DemoServer("demo")}
            virtualServers:
              team:
                servers: [demo]
            """);
        using var metrics = new MetricRecorder(gateway.Services);
        var server = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        var view = new McpHttpTestClient(gateway.Http, new Uri(gateway.BaseAddress, "virtual/team/mcp"));

        await server.InitializeAsync();
        await view.InitializeAsync();
        var openServer = metrics.Sum("mcp_gateway_sessions_active", ("target", "server"));
        var openView = metrics.Sum("mcp_gateway_sessions_active", ("target", "virtual"));
        using var delete = new HttpRequestMessage(HttpMethod.Delete, server.Endpoint);
        delete.Headers.Add("Mcp-Session-Id", server.SessionId);
        (await gateway.Http.SendAsync(delete)).StatusCode.Should().Be(HttpStatusCode.OK);

        openServer.Should().Be(1);
        openView.Should().Be(1);
        metrics.Sum("mcp_gateway_sessions_active", ("target", "server")).Should().Be(0);
        metrics.Sum("mcp_gateway_sessions_active", ("target", "virtual")).Should().Be(1);
    }

    [Fact]
    public async Task UpstreamCrash_CountsRestart_AndServerUpGoesFromOneToZero()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
            {GatewayHarness.DemoServer("demo", "restart: { initialBackoff: 30s, maxBackoff: 30s }")}
            """);
        using var metrics = new MetricRecorder(gateway.Services);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        metrics.Observe("mcp_server_up", ("server", "demo")).Should().BeEmpty("a server nobody contacted yet has no state");
        await client.InitializeAsync();
        var upBefore = metrics.Observe("mcp_server_up", ("server", "demo"));

        await client.CallAsync("tools/call", Call("crash"));
        await metrics.WaitForAsync("mcp_gateway_upstream_restarts", ("server", "demo"));

        upBefore.Should().ContainSingle().Which.Value.Should().Be(1);
        metrics.Observe("mcp_server_up", ("server", "demo")).Should().ContainSingle().Which.Value.Should().Be(0);
        metrics.Sum("mcp_gateway_upstream_restarts", ("server", "demo")).Should().Be(1);
    }

    [Fact]
    public async Task CircuitState_WithoutCircuitBreakers_ReportsNothing()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        using var metrics = new MetricRecorder(gateway.Services);

        metrics.Observe("mcp_gateway_circuit_state").Should().BeEmpty();
        metrics.Measurements.Should().NotContain(m => m.Instrument == "mcp_gateway_circuit_state");
    }
}
