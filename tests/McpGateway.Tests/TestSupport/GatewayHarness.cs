using McpGateway.Configuration;
using McpGateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.TestSupport;

/// <summary>A real gateway on Kestrel, loopback, port 0, built from YAML text.</summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    private GatewayHarness(WebApplication app, Uri baseAddress, CapturingLoggerProvider logs, string? privateDirectory)
    {
        _privateDirectory = privateDirectory;
        App = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    private readonly string? _privateDirectory;

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<GatewayHarness> StartAsync(string yaml, Func<string, string?>? environment = null)
    {
        var result = GatewayConfigLoader.LoadText(yaml, "test.yaml", environment ?? (_ => null));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("test config invalid: " + string.Join("; ", result.Errors));
        }

        return await StartAsync(WithoutUnaskedHealthChecks(result.Config!));
    }

    /// <summary>
    /// Health checks are on by default and open an upstream session (a child process for stdio) per server in the
    /// background; a test whose config leaves every health setting at its default gets none, so its counts of
    /// processes, connects and upstream requests are its own.
    /// </summary>
    private static GatewayConfig WithoutUnaskedHealthChecks(GatewayConfig config) =>
        config.Gateway.Health != HealthCheckOptions.Default || config.Servers.Any(server => server.Health is not null)
            ? config
            : config with { Gateway = config.Gateway with { Health = HealthCheckOptions.Off } };

    /// <summary>A gateway loaded from a real config file, which it watches and reloads as <c>serve</c> does.</summary>
    public static async Task<GatewayHarness> StartFromFileAsync(string path)
    {
        var result = GatewayConfigLoader.LoadFile(path);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("test config invalid: " + string.Join("; ", result.Errors));
        }

        return await StartAsync(result.Config!, watchConfigFile: path);
    }

    public static async Task<GatewayHarness> StartAsync(GatewayConfig config, string? watchConfigFile = null, LogLevel minimumLevel = LogLevel.Debug)
    {
        // Each gateway gets its own registry file unless the config names one: the default would be shared by every test.
        string? privateDirectory = null;
        if (config.Storage.Provider == StorageProvider.Sqlite
            && config.Storage.SqlitePath == Path.GetFullPath(Path.Combine(StorageOptions.DefaultDirectory, StorageOptions.DefaultFileName)))
        {
            privateDirectory = Directory.CreateTempSubdirectory("mcpgw-registry-").FullName;
            config = config with { Storage = config.Storage with { Path = Path.Combine(privateDirectory, StorageOptions.DefaultFileName) } };
        }

        var logs = new CapturingLoggerProvider();
        var app = GatewayApp.Build(config, config.Gateway.Tls is null ? "http://127.0.0.1:0" : "https://127.0.0.1:0", logging =>
        {
            logging.SetMinimumLevel(minimumLevel);
            logging.AddProvider(logs);
        }, watchConfigFile);
        await app.StartAsync();
        var address = GatewayApp.BoundAddresses(app)[0];
        return new GatewayHarness(app, new Uri(address.TrimEnd('/') + "/"), logs, privateDirectory);
    }

    /// <summary>A gateway in front of one demo server (with its test tools), with optional <c>gateway:</c> settings.</summary>
    public static Task<GatewayHarness> StartDemoAsync(string? gatewaySettings = null, string server = "demo") => StartAsync(
        (gatewaySettings is null ? "" : $"gateway: {{ {gatewaySettings} }}\n") + "mcpServers:\n" + DemoServer(server));

    /// <summary>A YAML <c>mcpServers</c> entry (two-space indented) running the gateway's own demo server with its test tools.</summary>
    public static string DemoServer(string name, string extraSettings = "")
    {
        var entry = $"  {name}:\n    command: mcp-gateway\n    args: [\"demo-server\"]\n    env: {{ MCP_DEMO_TEST_TOOLS: \"1\" }}\n";
        foreach (var line in extraSettings.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            entry += $"    {line.Trim()}\n";
        }

        return entry;
    }

    public Uri ServerUrl(string server) => new(BaseAddress, $"servers/{server}/mcp");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (_privateDirectory is not null)
        {
            Directory.Delete(_privateDirectory, recursive: true);
        }
    }
}
