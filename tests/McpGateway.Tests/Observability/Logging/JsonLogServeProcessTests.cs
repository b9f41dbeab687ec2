using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Observability.Logging;

/// <summary>The real <c>mcp-gateway serve</c> process with JSON logs: what a log pipeline reading its stdout gets.</summary>
public sealed class JsonLogServeProcessTests : IDisposable
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll");

    private static readonly string[] HeaderKeys = ["timestamp", "level", "event", "event_id", "category", "message"];

    // A directory of its own: the default registry file (data/ next to the config) must not be shared with other runs.
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-jsonlog-").FullName;

    private string ConfigPath => Path.Combine(_directory, "gateway.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Serve_LogFormatJson_EveryStdoutLineIsAJsonObjectFromStartToStop()
    {
        // No health checks: their child process would be a second 1002 event.
        await File.WriteAllTextAsync(ConfigPath, "mcpServers:\n" + GatewayHarness.DemoServer("demo", "health: false"), TestContext.Current.CancellationToken);
        await using var gateway = ChildProcess.Start(
            "dotnet", [GatewayDll, "serve", "--config", ConfigPath, "--urls", "http://127.0.0.1:0", "--log-format", "json", "--log-level", "debug"], Path.GetTempPath());

        var started = JsonLogFormatterTests.ParseObject(
            await gateway.WaitForLineAsync(l => l.Contains("\"event_id\":3003", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        started.GetProperty("event").GetString().Should().Be("Started");
        started.GetProperty("level").GetString().Should().Be("info");
        started.GetProperty("server_count").GetInt32().Should().Be(1);
        var baseUrl = started.GetProperty("urls").GetString()!;
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
        var client = new McpHttpTestClient(http, new Uri(http.BaseAddress, "servers/demo/mcp"));
        await client.InitializeAsync();
        await client.CallAsync("tools/call", new JsonObject { ["name"] = "pid" });

        using (var kill = Process.Start("kill", ["-TERM", gateway.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        (await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken)).Should().Be(0, gateway.StandardOutput + gateway.StandardError);
        var lines = gateway.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(JsonLogFormatterTests.ParseObject).ToList();
        lines.Should().AllSatisfy(line => JsonLogFormatterTests.Keys(line).Take(HeaderKeys.Length).Should().Equal(HeaderKeys));
        var gatewayEvents = lines.Where(l => l.GetProperty("event_id").GetInt32() >= 1000).Select(l => l.GetProperty("event_id").GetInt32()).ToList();
        gatewayEvents.Should().Contain([3003, 1002, 1009, 2001, 2002], "start-up, child process, upstream connect, session open and close all reach the JSON log");
        var closed = lines.Single(l => l.GetProperty("event_id").GetInt32() == 2002);
        closed.GetProperty("server").GetString().Should().Be("demo");
        closed.GetProperty("reason").GetString().Should().Be("gateway stopping");
        lines.Where(l => l.GetProperty("event_id").GetInt32() == 1002).Should().ContainSingle()
            .Which.GetProperty("process_id").ValueKind.Should().Be(JsonValueKind.Number);
    }

    [Fact]
    public async Task Serve_FormatVariable_BeatsTheConfigFile()
    {
        await File.WriteAllTextAsync(ConfigPath, "gateway: { logFormat: text }\nmcpServers: {}\n", TestContext.Current.CancellationToken);
        await using var gateway = ChildProcess.Start(
            "dotnet", [GatewayDll, "serve", "--config", ConfigPath, "--urls", "http://127.0.0.1:0"], Path.GetTempPath(),
            new Dictionary<string, string> { ["MCP_GATEWAY_LOG_FORMAT"] = "json" });

        var startedLine = await gateway.WaitForLineAsync(l => l.Contains("serving 0 server(s)", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        JsonLogFormatterTests.ParseObject(startedLine).GetProperty("event_id").GetInt32().Should().Be(3003);
    }

    [Fact]
    public async Task Serve_InvalidFormatVariable_Exits2NamingTheVariable()
    {
        await File.WriteAllTextAsync(ConfigPath, "mcpServers: {}\n", TestContext.Current.CancellationToken);
        await using var gateway = ChildProcess.Start(
            "dotnet", [GatewayDll, "serve", "--config", ConfigPath, "--urls", "http://127.0.0.1:0"], Path.GetTempPath(),
            new Dictionary<string, string> { ["MCP_GATEWAY_LOG_FORMAT"] = "yaml" });

        var code = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        code.Should().Be(2);
        gateway.StandardError.Should().Contain("MCP_GATEWAY_LOG_FORMAT: `yaml` is not a log format; use json or text");
        gateway.StandardOutput.Should().BeEmpty();
    }
}
