using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Tests.Hosting;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Storage;

/// <summary>
/// A registration that the admin API acknowledged survives the gateway process being SIGKILLed straight afterwards:
/// the real <c>mcp-gateway serve</c> binary, the real CLI, then a new process on the same store.
/// </summary>
public sealed class RegistryDurabilityTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-durable-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RegisteredServer_SigkillRightAfterCliAdd_IsThereAfterRestartOnSqlite()
    {
        var database = Path.Combine(_directory, "data", "registry.db");
        var config = WriteConfig($"storage: {{ provider: sqlite, path: '{database}' }}");

        await using (var first = await StartGatewayAsync(config))
        {
            // The CLI as a user runs it: a separate process talking HTTP to the gateway.
            await using var cli = ChildProcess.Start("dotnet",
                [GatewayDll, "servers", "add", "durable", "--command", "mcp-gateway", "--arg", "demo-server", "--env", "MCP_DEMO_TEST_TOOLS=1", "--gateway", first.BaseUrl],
                _directory);
            var cliExit = await cli.WaitForExitAsync(Patience, TestContext.Current.CancellationToken);
            cliExit.Should().Be(0, cli.StandardError);
            cli.StandardOutput.Should().Contain("added durable");

            await SigkillAsync(first.Process);
        }

        File.Exists(database).Should().BeTrue();
        await using var second = await StartGatewayAsync(config);
        await AssertRegisteredAndServedAsync(second.BaseUrl);
    }

    [Fact]
    public async Task RegisteredServer_SigkillRightAfterCliAdd_IsThereAfterRestartOnPostgres()
    {
        await using var database = PostgresTestDatabase.Create();
        var config = WriteConfig($"storage: {{ provider: postgres, connectionString: '{database.ConnectionString}' }}");

        await using (var first = await StartGatewayAsync(config))
        {
            var (code, _, error) = await AdminCliTests.RunAsync(
                "servers", "add", "durable", "--command", "mcp-gateway", "--arg", "demo-server", "--env", "MCP_DEMO_TEST_TOOLS=1", "--gateway", first.BaseUrl);
            code.Should().Be(0, error);

            await SigkillAsync(first.Process);
        }

        await using var second = await StartGatewayAsync(config);
        await AssertRegisteredAndServedAsync(second.BaseUrl);
    }

    private static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll");

    private string WriteConfig(string storage)
    {
        var path = Path.Combine(_directory, "gateway.yaml");
        File.WriteAllText(path, storage + "\nmcpServers:\n" + GatewayHarness.DemoServer("demo"));
        return path;
    }

    private async Task<RunningGateway> StartGatewayAsync(string config)
    {
        var process = ChildProcess.Start("dotnet", [GatewayDll, "serve", "--config", config, "--urls", "http://127.0.0.1:0"], _directory);
        var started = await process.WaitForLineAsync(l => l.Contains(" server(s) on http://127.0.0.1:", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);
        return new RunningGateway(process, started[started.IndexOf("http://", StringComparison.Ordinal)..].Trim());
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; only what the store made durable before answering remains.</summary>
    private static async Task SigkillAsync(ChildProcess gateway)
    {
        using (var kill = Process.Start("kill", ["-KILL", gateway.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var exitCode = await gateway.WaitForExitAsync(Patience, TestContext.Current.CancellationToken);
        exitCode.Should().Be(137, "the gateway must have died of SIGKILL, not shut down");
    }

    private static async Task AssertRegisteredAndServedAsync(string baseUrl)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
        using var response = await http.GetAsync(new Uri("api/v1/servers/durable", UriKind.Relative), TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var server = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        ((string?)server["origin"]).Should().Be("registry");
        ((string?)server["command"]).Should().Be("mcp-gateway");

        var client = new McpHttpTestClient(http, new Uri(http.BaseAddress, "mcp"));
        await client.InitializeAsync();
        var tools = (await client.CallAsync("tools/list"))["result"]!["tools"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        tools.Should().Contain(name => name.StartsWith("durable", StringComparison.Ordinal), "the restored server's tools are aggregated on /mcp");
    }

    private sealed record RunningGateway(ChildProcess Process, string BaseUrl) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
