using System.Globalization;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Upstreams;

/// <summary>The stdio supervisor: launch, environment, stderr, crash and restart, timeouts, shutdown.</summary>
public sealed class StdioSupervisionTests
{
    private static JsonObject Call(string tool, JsonObject? arguments = null) => new() { ["name"] = tool, ["arguments"] = arguments ?? new JsonObject() };

    private static string Text(JsonObject answer) => (string?)answer["result"]?["content"]?[0]?["text"] ?? answer.ToJsonString();

    [Fact]
    public async Task Crash_InFlightCallFailsFastNamingServer_ThenServerIsRestarted()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            gateway: {"{"} requestTimeout: 120s {"}"}
            mcpServers:
            {GatewayHarness.DemoServer("demo", "restart: { initialBackoff: 50ms, maxBackoff: 1s }")}
            """);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var pidBefore = Text(await client.CallAsync("tools/call", Call("pid")));

        var crashed = await client.CallAsync("tools/call", Call("crash"));

        // Unavailable (-32000), not a timeout (-32001): the call failed when the process died, not 120 s later.
        ((int?)crashed["error"]?["code"]).Should().Be(-32000, crashed.ToJsonString());
        ((string?)crashed["error"]!["message"]).Should().Contain("'demo'").And.Contain("exited with code 3");
        await gateway.Logs.WaitForEventAsync(1009, _ => gateway.Logs.CountEvents(1009) >= 2);
        var pidAfter = Text(await client.CallAsync("tools/call", Call("pid")));
        pidAfter.Should().NotBe(pidBefore);
        Text(await client.CallAsync("tools/call", Call("echo", new JsonObject { ["message"] = "back" }))).Should().Be("back");
    }

    [Fact]
    public async Task StderrOfAChildStartedByARequest_DoesNotCarryThatRequestsLogScope()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));

        await client.InitializeAsync();
        var stderr = await gateway.Logs.WaitForEventAsync(1001, line => line.Message.Contains("demo server ready", StringComparison.Ordinal));

        // The session was opened inside the request (its line carries the request's scope); the child's receive loops
        // outlive that request, so their lines must not claim to belong to it.
        var opened = await gateway.Logs.WaitForEventAsync(2001);
        opened.ScopeValue("RequestPath").Should().Be("/servers/demo/mcp");
        stderr.ScopeValue("RequestPath").Should().BeNull();
    }

    [Fact]
    public async Task Crash_OfOneServer_LeavesOtherServersServing()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
            {GatewayHarness.DemoServer("fragile", "restart: { initialBackoff: 30s, maxBackoff: 30s }")}
            {GatewayHarness.DemoServer("steady")}
            """);
        var fragile = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("fragile"));
        var steady = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("steady"));
        await fragile.InitializeAsync();
        await steady.InitializeAsync();

        var crashed = await fragile.CallAsync("tools/call", Call("crash"));
        var other = await steady.CallAsync("tools/call", Call("echo", new JsonObject { ["message"] = "fine" }));

        ((int?)crashed["error"]?["code"]).Should().Be(-32000);
        Text(other).Should().Be("fine");
    }

    [Fact]
    public async Task HungUpstream_AnswersTimeoutNamingServer_AndCancelsUpstream()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
            {GatewayHarness.DemoServer("slow", "requestTimeout: 1s")}
            """);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("slow"));
        await client.InitializeAsync();

        var answer = await client.CallAsync("tools/call", Call("hang"));
        var cancellations = await client.CallAsync("tools/call", Call("cancellations"));

        ((int?)answer["error"]?["code"]).Should().Be(-32001, answer.ToJsonString());
        ((string?)answer["error"]!["message"]).Should().Contain("'slow'").And.Contain("tools/call").And.Contain("1 s");
        Text(cancellations).Should().Be("1", "the upstream must be told to stop the timed-out call");
    }

    [Fact]
    public async Task ChildEnvironment_HasBaseAndConfiguredVariablesOnly()
    {
        const string leaked = "MCPGW_TEST_SHOULD_NOT_LEAK";
        Environment.SetEnvironmentVariable(leaked, "gateway-secret");
        try
        {
            await using var gateway = await GatewayHarness.StartAsync($"""
                mcpServers:
                  demo:
                    command: mcp-gateway
                    args: ["demo-server"]
                    env: {"{"} MCP_DEMO_TEST_TOOLS: "1", CONFIGURED_VALUE: "from-config" {"}"}
                """);
            var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
            await client.InitializeAsync();

            var configured = Text(await client.CallAsync("tools/call", Call("env", new JsonObject { ["name"] = "CONFIGURED_VALUE" })));
            var inherited = Text(await client.CallAsync("tools/call", Call("env", new JsonObject { ["name"] = leaked })));
            var path = Text(await client.CallAsync("tools/call", Call("env", new JsonObject { ["name"] = "PATH" })));

            configured.Should().Be("from-config");
            inherited.Should().Be("<unset>");
            path.Should().Be(Environment.GetEnvironmentVariable("PATH"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(leaked, null);
        }
    }

    [Fact]
    public async Task Stderr_IsLoggedLineByLineTaggedWithServerName()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync(server: "chatty");
        await new McpHttpTestClient(gateway.Http, gateway.ServerUrl("chatty")).InitializeAsync();

        var line = await gateway.Logs.WaitForEventAsync(1001);

        line.Message.Should().StartWith("[chatty] stderr: demo server ready");
    }

    [Fact]
    public async Task MissingCommand_InitializeFailsWithErrorNamingServerAndCommand()
    {
        await using var gateway = await GatewayHarness.StartAsync("""
            mcpServers:
              broken:
                command: no-such-mcp-server-binary
            """);

        var answer = await new McpHttpTestClient(gateway.Http, gateway.ServerUrl("broken")).PostAsync(new McpHttpTestClient(gateway.Http, gateway.ServerUrl("broken")).Request("initialize", new JsonObject
        {
            ["protocolVersion"] = "2025-11-25",
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "t", ["version"] = "1" },
        }));

        ((int?)answer.Last["error"]?["code"]).Should().Be(-32000);
        ((string?)answer.Last["error"]!["message"]).Should().Contain("'broken'").And.Contain("no-such-mcp-server-binary").And.Contain("not found");
        answer.Headers.Contains("Mcp-Session-Id").Should().BeFalse("a failed initialize must not leave a session behind");
    }

    [Fact]
    public async Task Shutdown_StopsChildrenAndGrandchildren()
    {
        int serverPid, grandchildPid;
        await using (var gateway = await GatewayHarness.StartDemoAsync())
        {
            var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
            await client.InitializeAsync();
            serverPid = int.Parse(Text(await client.CallAsync("tools/call", Call("pid"))), CultureInfo.InvariantCulture);
            grandchildPid = int.Parse(Text(await client.CallAsync("tools/call", Call("spawn_child"))), CultureInfo.InvariantCulture);
            IsRunning(serverPid).Should().BeTrue();
            IsRunning(grandchildPid).Should().BeTrue();
        }

        IsRunning(serverPid).Should().BeFalse("the stdio server must be stopped with the gateway");
        IsRunning(grandchildPid).Should().BeFalse("what the server spawned must not outlive the gateway");
    }

    [Fact]
    public async Task DeleteSession_StopsThatSessionsChild()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var pid = int.Parse(Text(await client.CallAsync("tools/call", Call("pid"))), CultureInfo.InvariantCulture);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, gateway.ServerUrl("demo"));
        delete.Headers.Add("Mcp-Session-Id", client.SessionId);

        using var response = await gateway.Http.SendAsync(delete);

        response.IsSuccessStatusCode.Should().BeTrue();
        IsRunning(pid).Should().BeFalse();
    }

    [Fact]
    public async Task IdleSession_IsClosedAndItsChildStopped()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync("sessionIdleTimeout: 2s");
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var pid = int.Parse(Text(await client.CallAsync("tools/call", Call("pid"))), CultureInfo.InvariantCulture);

        await gateway.Logs.WaitForEventAsync(2002, l => l.Message.Contains("closed: idle", StringComparison.Ordinal));
        var after = await client.PostAsync(client.Request("tools/list"));

        after.Status.Should().Be(System.Net.HttpStatusCode.NotFound);
        IsRunning(pid).Should().BeFalse();
    }

    /// <summary>Alive and not a zombie (an orphan's zombie may linger in a container without an init that reaps).</summary>
    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
