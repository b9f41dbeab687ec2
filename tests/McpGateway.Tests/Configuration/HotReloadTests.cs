using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Configuration;

/// <summary>A real gateway started from a real file that the test edits; each step waits for the reload's log event.</summary>
public sealed class HotReloadTests : IDisposable
{
    private const int Applied = 2600;
    private const int Rejected = 2601;
    private const int NeedsRestart = 2602;
    private const int Unchanged = 2603;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-reload-").FullName;

    private string ConfigPath => Path.Combine(_directory, "gateway.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Health checks off: their own upstream processes would blur the counts of process starts these tests assert.
    private static string Config(string servers, string tail = "") =>
        "gateway: { reloadDebounce: 50ms, health: false }\nmcpServers:\n" + servers + tail;

    private static string Demo(string name, string extra = "") => GatewayHarness.DemoServer(name, extra);

    private async Task<GatewayHarness> StartAsync(string yaml)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml, TestContext.Current.CancellationToken);
        return await GatewayHarness.StartFromFileAsync(ConfigPath);
    }

    private Task EditAsync(string yaml) => File.WriteAllTextAsync(ConfigPath, yaml, TestContext.Current.CancellationToken);

    private static Task<LogLine> AppliedAsync(GatewayHarness gateway, int version) =>
        gateway.Logs.WaitForEventAsync(Applied, l => l.Property("Version") is int v && v == version);

    private static JsonObject Call(string tool) => new() { ["name"] = tool, ["arguments"] = new JsonObject() };

    private static string Text(JsonObject answer) => (string?)answer["result"]?["content"]?[0]?["text"] ?? answer.ToJsonString();

    private static McpHttpTestClient ClientOf(GatewayHarness gateway, string path) => new(gateway.Http, new Uri(gateway.BaseAddress, path));

    private static async Task<List<string>> ToolNamesAsync(McpHttpTestClient client) =>
        [.. (await client.CallAsync("tools/list"))["result"]!["tools"]!.AsArray().Select(t => (string)t!["name"]!)];

    /// <summary>Reads the session's GET stream up to the first <c>tools/list_changed</c> (fails after 30 s rather than hang).</summary>
    private static Task<bool> ToolsListChangedAsync(OpenResponse stream) => ReadUntilToolsListChangedAsync(stream).WaitAsync(TimeSpan.FromSeconds(30));

    private static async Task<bool> ReadUntilToolsListChangedAsync(OpenResponse stream)
    {
        while (await stream.ReadEventAsync() is { } sse)
        {
            if ((string?)sse.Message?["method"] == "notifications/tools/list_changed")
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task Reload_InvalidEdit_KeepsServingTheOldConfigAndLogsTheError()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha")));
        var client = ClientOf(gateway, "servers/alpha/mcp");
        await client.InitializeAsync();

        await EditAsync(Config(Demo("alpha", "transport: carrier-pigeon") + Demo("beta")));
        var rejected = await gateway.Logs.WaitForEventAsync(Rejected);

        rejected.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Error);
        rejected.Message.Should().Contain("mcpServers.alpha.transport (line 7)").And.Contain("still serving version 1");
        Text(await client.CallAsync("tools/call", Call("pid"))).Should().MatchRegex("^[0-9]+$");
        (await ClientOf(gateway, "servers/beta/mcp").PostAsync(client.Request("initialize"))).Status.Should().Be(HttpStatusCode.NotFound);
        var state = gateway.Services.GetRequiredService<ConfigReloadState>().Current;
        state.Version.Should().Be(1);
        state.LastAttempt.Should().NotBeNull();
        state.Errors.Should().ContainSingle().Which.Key.Should().Be("mcpServers.alpha.transport");

        await EditAsync(Config(Demo("alpha") + Demo("beta")));
        await AppliedAsync(gateway, 2);

        gateway.Services.GetRequiredService<ConfigReloadState>().Current.Errors.Should().BeEmpty();
        await ClientOf(gateway, "servers/beta/mcp").InitializeAsync();
    }

    [Fact]
    public async Task Reload_BlockedToolsChanged_OpenViewSessionsLoseTheToolAndCannotCallIt()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha")));
        var view = ClientOf(gateway, "mcp");
        await view.InitializeAsync("2025-06-18");
        (await ToolNamesAsync(view)).Should().Contain("alpha__echo");
        using var stream = await view.OpenGetStreamAsync();

        await EditAsync(Config(Demo("alpha"), "guardrails: { blockedTools: [\"alpha__echo\"] }\n"));
        var applied = await AppliedAsync(gateway, 2);

        applied.Message.Should().Contain("views changed: /mcp");
        (await ToolsListChangedAsync(stream)).Should().BeTrue();
        (await ToolNamesAsync(view)).Should().NotContain("alpha__echo").And.Contain("alpha__add");
        var call = await view.CallAsync("tools/call", new JsonObject { ["name"] = "alpha__echo", ["arguments"] = new JsonObject { ["message"] = "hi" } });
        ((string?)call["error"]?["message"]).Should().Be("Unknown tool: alpha__echo");
    }

    [Fact]
    public async Task Reload_AddedServer_IsReachableAndJoinsTheDefaultView()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha")));
        var view = ClientOf(gateway, "mcp");
        await view.InitializeAsync("2025-06-18");
        using var stream = await view.OpenGetStreamAsync();

        await EditAsync(Config(Demo("alpha") + Demo("beta")));
        var applied = await AppliedAsync(gateway, 2);

        applied.Message.Should().Contain("servers added: beta").And.Contain("views changed: /mcp");
        (await ToolsListChangedAsync(stream)).Should().BeTrue();
        (await ToolNamesAsync(view)).Should().Contain(["alpha__echo", "beta__echo"]);
        var beta = ClientOf(gateway, "servers/beta/mcp");
        await beta.InitializeAsync();
        Text(await beta.CallAsync("tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "hi" } })).Should().Be("hi");
    }

    [Fact]
    public async Task Reload_RemovedServer_ClosesItsSessionsAndLeavesTheViews()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha") + Demo("beta")));
        var passthrough = ClientOf(gateway, "servers/beta/mcp");
        await passthrough.InitializeAsync();
        var view = ClientOf(gateway, "mcp");
        await view.InitializeAsync("2025-06-18");
        (await ToolNamesAsync(view)).Should().Contain("beta__echo");
        using var stream = await view.OpenGetStreamAsync();

        await EditAsync(Config(Demo("alpha")));
        var applied = await AppliedAsync(gateway, 2);

        applied.Message.Should().Contain("servers removed: beta");
        var closed = await gateway.Logs.WaitForEventAsync(2002, l => Equals(l.Property("SessionId"), passthrough.SessionId));
        closed.Message.Should().Contain("server removed or disabled by a config reload");
        (await passthrough.PostAsync(passthrough.Request("tools/list"))).Status.Should().Be(HttpStatusCode.NotFound);
        (await ToolsListChangedAsync(stream)).Should().BeTrue();
        var names = await ToolNamesAsync(view);
        names.Should().Contain("alpha__echo").And.NotContain(n => n.StartsWith("beta__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_UnchangedServer_KeepsItsSessionAndUpstreamProcess()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha") + Demo("beta")));
        var client = ClientOf(gateway, "servers/alpha/mcp");
        await client.InitializeAsync();
        var sessionId = client.SessionId;
        var pid = Text(await client.CallAsync("tools/call", Call("pid")));

        await EditAsync(Config(Demo("alpha") + Demo("beta", "requestTimeout: 45s") + Demo("gamma")));
        var applied = await AppliedAsync(gateway, 2);

        applied.Message.Should().Contain("servers added: gamma").And.Contain("servers reconnected: beta").And.NotContain("alpha");
        Text(await client.CallAsync("tools/call", Call("pid"))).Should().Be(pid);
        client.SessionId.Should().Be(sessionId);
        gateway.Logs.Lines.Count(l => l.EventId == 1002 && Equals(l.Property("Server"), "alpha")).Should().Be(1);
    }

    [Fact]
    public async Task Reload_ConnectionSettingsChanged_ReplacesTheUpstreamOfSessionsAndViews()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha")));
        var passthrough = ClientOf(gateway, "servers/alpha/mcp");
        await passthrough.InitializeAsync();
        var view = ClientOf(gateway, "mcp");
        await view.InitializeAsync("2025-06-18");
        var before = Text(await view.CallAsync("tools/call", Call("alpha__pid")));
        using var stream = await view.OpenGetStreamAsync();

        await EditAsync(Config(Demo("alpha", "requestTimeout: 45s")));
        await AppliedAsync(gateway, 2);

        (await passthrough.PostAsync(passthrough.Request("tools/list"))).Status.Should().Be(HttpStatusCode.NotFound);
        (await ToolsListChangedAsync(stream)).Should().BeTrue();
        Text(await view.CallAsync("tools/call", Call("alpha__pid"))).Should().NotBe(before);
        await passthrough.InitializeAsync();
    }

    [Fact]
    public async Task Reload_FilterOnlyChange_RefiltersViewsWithoutReconnecting()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha", "tools: { deny: [\"add\"] }")));
        var view = ClientOf(gateway, "mcp");
        await view.InitializeAsync("2025-06-18");
        var pid = Text(await view.CallAsync("tools/call", Call("alpha__pid")));
        (await ToolNamesAsync(view)).Should().Contain("alpha__echo").And.NotContain("alpha__add");
        using var stream = await view.OpenGetStreamAsync();

        await EditAsync(Config(Demo("alpha", "tools: { deny: [\"echo\"] }")));
        var applied = await AppliedAsync(gateway, 2);

        applied.Message.Should().Contain("servers refiltered: alpha");
        (await ToolsListChangedAsync(stream)).Should().BeTrue();
        (await ToolNamesAsync(view)).Should().Contain("alpha__add").And.NotContain("alpha__echo");
        Text(await view.CallAsync("tools/call", Call("alpha__pid"))).Should().Be(pid);
    }

    [Fact]
    public async Task Reload_RemovedVirtualServer_ClosesItsSessions()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha"), "virtualServers:\n  narrow: { servers: [alpha] }\n"));
        var client = ClientOf(gateway, "virtual/narrow/mcp");
        await client.InitializeAsync();

        await EditAsync(Config(Demo("alpha")));
        await AppliedAsync(gateway, 2);

        (await client.PostAsync(client.Request("tools/list"))).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reload_EditorAtomicReplace_IsPickedUp()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha")));

        var temporary = ConfigPath + ".swp";
        await File.WriteAllTextAsync(temporary, Config(Demo("alpha") + Demo("beta")), TestContext.Current.CancellationToken);
        File.Move(temporary, ConfigPath, overwrite: true);
        await AppliedAsync(gateway, 2);

        await ClientOf(gateway, "servers/beta/mcp").InitializeAsync();
    }

    [Fact]
    public async Task Reload_ConfigMapStyleSymlinkSwap_IsPickedUp()
    {
        // Kubernetes: gateway.yaml -> ..data/gateway.yaml, ..data -> ..v1; an update renames a new ..data link over the old one.
        Directory.CreateDirectory(Path.Combine(_directory, "..v1"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "..v1", "gateway.yaml"), Config(Demo("alpha")), TestContext.Current.CancellationToken);
        Directory.CreateSymbolicLink(Path.Combine(_directory, "..data"), "..v1");
        File.CreateSymbolicLink(ConfigPath, Path.Combine("..data", "gateway.yaml"));
        await using var gateway = await GatewayHarness.StartFromFileAsync(ConfigPath);

        Directory.CreateDirectory(Path.Combine(_directory, "..v2"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "..v2", "gateway.yaml"), Config(Demo("alpha") + Demo("beta")), TestContext.Current.CancellationToken);
        Directory.CreateSymbolicLink(Path.Combine(_directory, "..data_tmp"), "..v2");
        await RenameAsync(Path.Combine(_directory, "..data_tmp"), Path.Combine(_directory, "..data"));
        await AppliedAsync(gateway, 2);

        await ClientOf(gateway, "servers/beta/mcp").InitializeAsync();
    }

    /// <summary>rename(2) over an existing symlink, as the kubelet does (<c>mv -T</c>).</summary>
    private static async Task RenameAsync(string from, string to)
    {
        using var mv = System.Diagnostics.Process.Start("mv", ["-T", from, to]);
        await mv.WaitForExitAsync(TestContext.Current.CancellationToken);
        mv.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task Reload_SameContentWrittenAgain_IsANoOp()
    {
        var yaml = Config(Demo("alpha"));
        await using var gateway = await StartAsync(yaml);

        await EditAsync(yaml);
        await gateway.Logs.WaitForEventAsync(Unchanged);

        gateway.Logs.CountEvents(Applied).Should().Be(0);
        gateway.Services.GetRequiredService<ConfigReloadState>().Current.Version.Should().Be(1);
    }

    [Fact]
    public async Task Reload_ListenChanged_WarnsItNeedsARestartAndAppliesTheRest()
    {
        await using var gateway = await StartAsync(Config(Demo("alpha")));
        var listen = gateway.Services.GetRequiredService<IGatewayConfigProvider>().Current.Gateway.Listen;

        await EditAsync("gateway: { reloadDebounce: 50ms, listen: \"http://127.0.0.1:1\" }\nmcpServers:\n" + Demo("alpha") + Demo("beta"));
        var warning = await gateway.Logs.WaitForEventAsync(NeedsRestart);
        await AppliedAsync(gateway, 2);

        warning.Message.Should().Contain("gateway.listen");
        var current = gateway.Services.GetRequiredService<IGatewayConfigProvider>().Current;
        current.Gateway.Listen.Should().Be(listen);
        current.FindServer("beta").Should().NotBeNull();
    }
}
