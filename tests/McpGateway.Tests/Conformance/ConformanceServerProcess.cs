using McpGateway.Tests.TestSupport;
using System.Reflection;
using McpGateway.Tests.Interop;

namespace McpGateway.Tests.Conformance;

/// <summary>
/// <c>tests/McpGateway.ConformanceServer</c> (<c>mcp-conformance-server</c>), built by the test project's
/// <c>ReferenceOutputAssembly="false"</c> project reference into its own bin folder, in the test's configuration.
/// The test only runs what the build produced; it never builds.
/// </summary>
internal sealed class ConformanceServerProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "Listening on ";

    private ConformanceServerProcess(ChildProcess process, Uri mcpUrl)
    {
        Process = process;
        McpUrl = mcpUrl;
    }

    public ChildProcess Process { get; }

    /// <summary>The Streamable HTTP endpoint, <c>http://127.0.0.1:PORT/mcp</c>.</summary>
    public Uri McpUrl { get; }

    /// <summary>The built server: tests/McpGateway.ConformanceServer/bin/{Configuration}/{TargetFramework}/mcp-conformance-server.dll.</summary>
    public static string DllPath
    {
        get
        {
            var configuration = typeof(ConformanceServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var targetFramework = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            return Path.Combine(InteropEnvironment.RepositoryRoot, "tests", "McpGateway.ConformanceServer", "bin", configuration, targetFramework, "mcp-conformance-server.dll");
        }
    }

    /// <summary><c>dotnet mcp-conformance-server.dll --http --urls http://127.0.0.1:0</c>; ready once it prints its URL (port 0: no race for a port).</summary>
    public static async Task<ConformanceServerProcess> StartHttpAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var process = ChildProcess.Start("dotnet", [DllPath, "--http", "--urls", "http://127.0.0.1:0"], InteropEnvironment.RepositoryRoot, environment);
        try
        {
            var line = await process.WaitForLineAsync(l => l.StartsWith(ListeningPrefix, StringComparison.Ordinal), TimeSpan.FromSeconds(30), cancellationToken);
            return new ConformanceServerProcess(process, new Uri(line[ListeningPrefix.Length..].Trim()));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
