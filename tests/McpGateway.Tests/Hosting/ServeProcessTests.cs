using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Hosting;

/// <summary><c>mcp-gateway serve</c> as a real process: starts, serves, and on SIGTERM exits cleanly leaving no child.</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task Serve_Sigterm_ExitsZeroAndStopsStdioChildren()
    {
        // A directory of its own: the default registry file (data/ next to the config) must not be shared with other runs.
        var directory = Directory.CreateTempSubdirectory("mcpgw-serve-").FullName;
        var config = Path.Combine(directory, "gateway.yaml");
        await File.WriteAllTextAsync(config, """
            mcpServers:
              demo:
                command: mcp-gateway
                args: ["demo-server"]
                env: { MCP_DEMO_TEST_TOOLS: "1" }
            """);
        try
        {
            var gatewayDll = Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll");
            await using var gateway = ChildProcess.Start("dotnet", [gatewayDll, "serve", "--config", config, "--urls", "http://127.0.0.1:0"], Path.GetTempPath());
            var started = await gateway.WaitForLineAsync(l => l.Contains("serving 1 server(s) on http://127.0.0.1:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var baseUrl = started[started.IndexOf("http://", StringComparison.Ordinal)..].Trim();
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
            var client = new McpHttpTestClient(http, new Uri(http.BaseAddress, "servers/demo/mcp"));
            await client.InitializeAsync();
            var pid = int.Parse((string)(await client.CallAsync("tools/call", new JsonObject { ["name"] = "pid" }))["result"]!["content"]![0]!["text"]!, CultureInfo.InvariantCulture);

            using (var kill = Process.Start("kill", ["-TERM", gateway.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            exitCode.Should().Be(0, gateway.StandardError);
            File.Exists($"/proc/{pid}/stat").Should().BeFalse("the demo server must not outlive the gateway");
            gateway.StandardOutput.Should().Contain("closed: gateway stopping");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_Sighup_ReloadsTheConfigFile()
    {
        var directory = Directory.CreateTempSubdirectory("mcpgw-sighup-").FullName;
        var config = Path.Combine(directory, "gateway.yaml");

        // A debounce of an hour: only SIGHUP can make this reload happen within the test.
        const string Before = """
            gateway: { reloadDebounce: 1h }
            mcpServers:
              demo: { command: mcp-gateway, args: ["demo-server"] }
            """;
        await File.WriteAllTextAsync(config, Before, TestContext.Current.CancellationToken);
        try
        {
            var gatewayDll = Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll");
            await using var gateway = ChildProcess.Start("dotnet", [gatewayDll, "serve", "--config", config, "--urls", "http://127.0.0.1:0"], Path.GetTempPath());
            var started = await gateway.WaitForLineAsync(l => l.Contains("serving 1 server(s) on http://127.0.0.1:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var baseUrl = started[started.IndexOf("http://", StringComparison.Ordinal)..].Trim();
            await gateway.WaitForLineAsync(l => l.Contains("watching config file", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            await File.WriteAllTextAsync(config, Before + "\n  other: { command: mcp-gateway, args: [\"demo-server\"] }\n", TestContext.Current.CancellationToken);
            using (var hangup = Process.Start("kill", ["-HUP", gateway.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await hangup.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            var reloaded = await gateway.WaitForLineAsync(l => l.Contains("config reloaded from", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            reloaded.Should().Contain("servers added: other");
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
            await new McpHttpTestClient(http, new Uri(http.BaseAddress, "servers/other/mcp")).InitializeAsync();
            gateway.HasExited.Should().BeFalse("SIGHUP reloads; it does not stop the gateway");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
