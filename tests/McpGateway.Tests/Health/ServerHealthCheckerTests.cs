using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Health;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Health;

/// <summary>Periodic pings of real upstreams: transitions (event 1100), the registry, manual checks and <c>/readyz</c>.</summary>
public sealed class ServerHealthCheckerTests
{
    private const int Transition = 1100;
    private const int Checked = 1101;
    private const int ChecksStarted = 1102;
    private const int ChecksStopped = 1103;

    // Connecting starts a .NET process; on a busy machine that is slow, and it counts against the timeout, not the latency.
    private const string StdioHealth = "health: { interval: 100ms, timeout: 20s, degradedLatency: 10s, unhealthyAfter: 2 }";

    [Fact]
    public async Task Checker_StdioServerAnswers_UnknownToHealthy_VisibleInRegistryAndReadyz()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("demo", StdioHealth));

        var transition = await WaitForTransitionAsync(gateway, "demo", "healthy");

        transition.Property("From").Should().Be("unknown");
        var health = gateway.Services.GetRequiredService<ServerHealthRegistry>().Find("demo")!;
        health.Status.Should().Be(HealthStatus.Healthy);
        health.LatencyMs.Should().BeGreaterThan(0);
        health.ConsecutiveFailures.Should().Be(0);
        var ready = await ReadyzAsync(gateway);
        ((string?)ready["status"]).Should().Be("ready");
        ((string?)ready["upstreams"]).Should().Be("healthy");
        var detail = ServerEntry(ready, "demo")["health"]!;
        ((string?)detail["status"]).Should().Be("healthy");
        ((double?)detail["latencyMs"]).Should().BeGreaterThan(0);
        DateTimeOffset.Parse((string)detail["lastCheck"]!, System.Globalization.CultureInfo.InvariantCulture).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        ((int?)detail["consecutiveFailures"]).Should().Be(0);
        detail["lastError"].Should().BeNull();
    }

    [Fact]
    public async Task Checker_ServerDiesAndComesBack_DegradedThenUnhealthyThenHealthy_Logged()
    {
        var downMarker = Path.Combine(Path.GetTempPath(), $"mcpgw-health-down-{Guid.NewGuid():N}");
        try
        {
            await using var gateway = await GatewayHarness.StartAsync($"""
                mcpServers:
                  flaky:
                    command: mcp-gateway
                    args: ["demo-server"]
                    env: {"{"} MCP_DEMO_EXIT_IF_FILE: "{downMarker}" {"}"}
                    restart: {"{"} initialBackoff: 20ms, maxBackoff: 100ms {"}"}
                    {StdioHealth}
                """);
            await WaitForTransitionAsync(gateway, "flaky", "healthy");

            // From now on the running process exits at its next ping, and restarts refuse to start.
            await File.WriteAllTextAsync(downMarker, "down");
            var degraded = await WaitForTransitionAsync(gateway, "flaky", "degraded");
            var unhealthy = await WaitForTransitionAsync(gateway, "flaky", "unhealthy");

            degraded.Property("From").Should().Be("healthy");
            degraded.Property("ConsecutiveFailures").Should().Be(1);
            degraded.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);
            unhealthy.Property("From").Should().Be("degraded");
            unhealthy.Property("ConsecutiveFailures").Should().Be(2);
            ((string)unhealthy.Property("Error")!).Should().NotBeEmpty();
            var ready = await ReadyzAsync(gateway);
            ((string?)ready["status"]).Should().Be("ready", "one upstream being down does not make the gateway unready");
            ((string?)ready["upstreams"]).Should().Be("unhealthy");
            var detail = ServerEntry(ready, "flaky")["health"]!;
            ((string?)detail["status"]).Should().Be("unhealthy");
            ((int?)detail["consecutiveFailures"]).Should().BeGreaterThanOrEqualTo(2);
            ((string?)detail["lastError"]).Should().NotBeNullOrEmpty();
            detail["latencyMs"].Should().BeNull();
            var metrics = PrometheusTextParser.Parse(await gateway.Http.GetStringAsync("metrics"));
            metrics.Value("mcp_server_up", ("server", "flaky")).Should().Be(0);

            File.Delete(downMarker);
            var recovered = await WaitForTransitionAsync(gateway, "flaky", "healthy", after: unhealthy);

            recovered.Property("From").Should().Be("unhealthy");
            recovered.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Information);
            var after = gateway.Services.GetRequiredService<ServerHealthRegistry>().Find("flaky")!;
            after.ConsecutiveFailures.Should().Be(0);
            after.LastError.Should().NotBeNull("the last error is kept after recovery");
            PrometheusTextParser.Parse(await gateway.Http.GetStringAsync("metrics")).Value("mcp_server_up", ("server", "flaky")).Should().Be(1);
        }
        finally
        {
            File.Delete(downMarker);
        }
    }

    [Fact]
    public async Task Checker_HttpServerNeverAnswers_TimesOutAndBecomesUnhealthy()
    {
        // Listening but never accepting: the kernel completes the TCP handshake, nobody ever answers the HTTP request.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              hung:
                url: http://127.0.0.1:{port}/mcp
                transport: streamable-http
                health: {"{"} interval: 100ms, timeout: 300ms, degradedLatency: 100ms, unhealthyAfter: 1 {"}"}
            """);

        var unhealthy = await WaitForTransitionAsync(gateway, "hung", "unhealthy");

        unhealthy.Property("From").Should().Be("unknown");
        ((string)unhealthy.Property("Error")!).Should().Contain("no answer within 300ms");
        gateway.Services.GetRequiredService<ServerHealthRegistry>().Find("hung")!.LastError.Should().Be("no answer within 300ms");
    }

    [Fact]
    public async Task Checker_HttpServerAnswers_BecomesHealthy()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              remote:
                url: {upstream.Endpoint}
                health: {"{"} interval: 1h, timeout: 10s, degradedLatency: 5s {"}"}
            """);

        var healthy = await WaitForTransitionAsync(gateway, "remote", "healthy");

        healthy.Property("From").Should().Be("unknown");
        upstream.InitializeCount.Should().Be(1);
    }

    [Fact]
    public async Task CheckNow_ServerChecked_RunsAFreshCheck_UnknownServerGetsNull()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("demo", "health: { interval: 1h, timeout: 20s, degradedLatency: 10s }"));
        await WaitForTransitionAsync(gateway, "demo", "healthy");
        var registry = gateway.Services.GetRequiredService<ServerHealthRegistry>();
        var first = registry.Find("demo")!;

        var manual = await registry.CheckNowAsync("demo");
        var unknown = await registry.CheckNowAsync("nope");

        manual!.Status.Should().Be(HealthStatus.Healthy);
        manual.LastCheck.Should().BeAfter(first.LastCheck!.Value);
        registry.Find("demo").Should().Be(manual);
        gateway.Logs.CountEvents(Checked).Should().Be(2, "the interval is an hour: one check at start, one manual");
        unknown.Should().BeNull();
    }

    [Fact]
    public async Task Checker_HealthFalse_ServerNotChecked_ReadyzSaysOff()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n"
            + GatewayHarness.DemoServer("checked", StdioHealth)
            + GatewayHarness.DemoServer("unchecked", "health: false"));

        // Three checks of the other server: the unchecked one had every chance to be checked by now.
        await gateway.Logs.WaitForAsync(l => l.EventId == Checked && (string?)l.Property("Server") == "checked" && gateway.Logs.Lines.Count(c => c.EventId == Checked && (string?)c.Property("Server") == "checked") >= 3);

        gateway.Logs.Lines.Should().NotContain(l => l.IsGateway && l.EventId >= Transition && l.EventId <= ChecksStopped && (string?)l.Property("Server") == "unchecked");
        gateway.Services.GetRequiredService<ServerHealthRegistry>().Find("unchecked").Should().BeNull();
        var ready = await ReadyzAsync(gateway);
        ((string?)ServerEntry(ready, "unchecked")["health"]!["status"]).Should().Be("off");
        ((string?)ready["upstreams"]).Should().Be("healthy");
    }

    [Fact]
    public async Task Checker_ConfigChanged_ChecksNewServer_RestartsChangedOne_DropsRemovedOne()
    {
        var yaml = "mcpServers:\n" + GatewayHarness.DemoServer("stays", StdioHealth) + GatewayHarness.DemoServer("goes", StdioHealth);
        await using var gateway = await GatewayHarness.StartAsync(yaml);
        await WaitForTransitionAsync(gateway, "stays", "healthy");
        await WaitForTransitionAsync(gateway, "goes", "healthy");
        var provider = gateway.Services.GetRequiredService<GatewayConfigProvider>();
        var current = provider.Current;

        var stays = current.FindServer("stays")!;
        var changedStays = stays with { Health = stays.Health! with { DegradedLatency = TimeSpan.FromSeconds(9) } };
        var added = stays with { Name = "added" };
        provider.Update(current with { Servers = [changedStays, added] });

        await gateway.Logs.WaitForEventAsync(ChecksStopped, l => (string?)l.Property("Server") == "goes");
        await gateway.Logs.WaitForEventAsync(ChecksStopped, l => (string?)l.Property("Server") == "stays" && ((string)l.Property("Reason")!).Contains("changed"));
        await WaitForTransitionAsync(gateway, "added", "healthy");
        var registry = gateway.Services.GetRequiredService<ServerHealthRegistry>();
        registry.Find("goes").Should().BeNull();
        gateway.Logs.Lines.Count(l => l.EventId == ChecksStarted && (string?)l.Property("Server") == "stays").Should().Be(2);
        await WaitForTransitionAsync(gateway, "stays", "healthy", after: gateway.Logs.Lines.Last(l => l.EventId == ChecksStarted && (string?)l.Property("Server") == "stays"));
        registry.All().Select(h => h.Server).Should().Equal("added", "stays");
    }

    /// <summary>The first transition of <paramref name="server"/> to <paramref name="to"/> logged after <paramref name="after"/> (or at all).</summary>
    private static Task<LogLine> WaitForTransitionAsync(GatewayHarness gateway, string server, string to, LogLine? after = null) =>
        gateway.Logs.WaitForAsync(l => l.IsGateway && l.EventId == Transition && (string?)l.Property("Server") == server && (string?)l.Property("To") == to
            && (after is null || IsLater(gateway.Logs, l, after)), TimeSpan.FromSeconds(60));

    private static bool IsLater(CapturingLoggerProvider logs, LogLine line, LogLine than)
    {
        var seenEarlier = false;
        foreach (var logged in logs.Lines)
        {
            if (ReferenceEquals(logged, than))
            {
                seenEarlier = true;
            }
            else if (ReferenceEquals(logged, line))
            {
                return seenEarlier;
            }
        }

        // Not enqueued yet: the line being matched right now comes after everything already logged.
        return seenEarlier;
    }

    private static async Task<JsonNode> ReadyzAsync(GatewayHarness gateway) => JsonNode.Parse(await gateway.Http.GetStringAsync("readyz"))!;

    private static JsonNode ServerEntry(JsonNode ready, string name) => ready["servers"]!.AsArray().Single(s => (string?)s!["name"] == name)!;
}
