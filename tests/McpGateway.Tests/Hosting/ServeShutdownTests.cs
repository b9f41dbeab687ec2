using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Hosting;

/// <summary><c>mcp-gateway serve</c> stopping while work is in flight: SIGTERM waits for the graceful shutdown, however long the upstreams take.</summary>
public sealed class ServeShutdownTests : IDisposable
{
    // A directory of its own: the default registry file (data/ next to the config) must not be shared with other runs.
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-shutdown-").FullName;

    private string ConfigPath => Path.Combine(_directory, "gateway.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Serve_SigtermWhileAToolCallHangs_FinishesTheShutdownAndExitsZero()
    {
        await File.WriteAllTextAsync(ConfigPath, "mcpServers:\n" + GatewayHarness.DemoServer("demo"), TestContext.Current.CancellationToken);
        var gatewayDll = Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll");
        await using var gateway = ChildProcess.Start("dotnet", [gatewayDll, "serve", "--config", ConfigPath, "--urls", "http://127.0.0.1:0"], Path.GetTempPath());
        var started = await gateway.WaitForLineAsync(l => l.Contains("serving 1 server(s) on http://127.0.0.1:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri(started[started.IndexOf("http://", StringComparison.Ordinal)..].Trim() + "/") };
        var client = new McpHttpTestClient(http, new Uri(http.BaseAddress, "servers/demo/mcp"));
        await client.InitializeAsync();
        var pid = int.Parse((string)(await client.CallAsync("tools/call", new JsonObject { ["name"] = "pid" }))["result"]!["content"]![0]!["text"]!, CultureInfo.InvariantCulture);
        // A call that never ends keeps the demo server from exiting on stdin close: stopping it takes the gateway's grace periods (seconds).
        using var hang = await client.OpenAsync(client.Request("tools/call", new JsonObject { ["name"] = "hang", ["_meta"] = new JsonObject { ["progressToken"] = "p" } }));
        (await hang.ReadMessageAsync())!["method"]!.GetValue<string>().Should().Be("notifications/progress");

        using (var kill = Process.Start("kill", ["-TERM", gateway.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        exitCode.Should().Be(0, "SIGTERM must not cut the graceful shutdown short\n" + gateway.StandardOutput + gateway.StandardError);
        gateway.StandardOutput.Should().Contain("closed: gateway stopping");
        File.Exists($"/proc/{pid}/stat").Should().BeFalse("the demo server must not outlive the gateway");
    }
}
