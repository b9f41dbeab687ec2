namespace McpGateway.Configuration;

/// <summary>One validated, immutable configuration snapshot. A reload builds a new one and swaps it whole.</summary>
public sealed record GatewayConfig
{
    public GatewayOptions Gateway { get; init; } = new();

    /// <summary>Configured upstream servers by name, in file order. Names are case-sensitive.</summary>
    public IReadOnlyList<ServerConfig> Servers { get; init; } = [];

    /// <summary>Where the snapshot came from (file path), for messages.</summary>
    public string? Source { get; init; }

    public ServerConfig? FindServer(string name)
    {
        foreach (var server in Servers)
        {
            if (string.Equals(server.Name, name, StringComparison.Ordinal))
            {
                return server;
            }
        }

        return null;
    }
}

/// <summary>The <c>gateway:</c> section.</summary>
public sealed record GatewayOptions
{
    public const string DefaultListen = "http://127.0.0.1:8080";

    /// <summary>Listen URL(s); <c>--urls</c> on the command line wins.</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>Largest accepted request body; larger gets HTTP 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Default time an upstream has to answer one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Default time to start/connect and initialize an upstream.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A downstream session with no traffic and no open stream for this long is closed.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a dropped SSE response stream (2025-11-25 sessions) may be resumed with Last-Event-ID before its upstream work is cancelled.</summary>
    public TimeSpan ResumeWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Browser origins allowed besides loopback ones. <c>*</c> allows any.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Explicit consent to listen on a non-loopback address without authentication.</summary>
    public bool AllowAnonymous { get; init; }
}

public enum ServerTransport
{
    /// <summary>Launch a local process and speak newline-delimited JSON-RPC on its stdin/stdout.</summary>
    Stdio,

    /// <summary>Remote URL: try Streamable HTTP, fall back to legacy SSE.</summary>
    AutoDetect,

    StreamableHttp,

    Sse,
}

/// <summary>How downstream client sessions map onto upstream sessions.</summary>
public enum SessionMode
{
    /// <summary>Each client session gets its own upstream session (default): server→client traffic reaches the right client.</summary>
    PerClient,

    /// <summary>One upstream session serves every client: for stateless servers.</summary>
    Shared,
}

/// <summary>One entry of <c>mcpServers</c>.</summary>
public sealed record ServerConfig
{
    public required string Name { get; init; }

    public ServerTransport Transport { get; init; }

    public string? Description { get; init; }

    public bool Enabled { get; init; } = true;

    // stdio
    public string? Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string? Cwd { get; init; }

    // remote
    public Uri? Url { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Per-server override of <see cref="GatewayOptions.RequestTimeout"/>.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Per-server override of <see cref="GatewayOptions.ConnectTimeout"/>.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    public SessionMode Sessions { get; init; } = SessionMode.PerClient;

    /// <summary>First delay before restarting a crashed stdio server; doubles per consecutive crash.</summary>
    public TimeSpan RestartInitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the restart delay.</summary>
    public TimeSpan RestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public bool IsRemote => Transport != ServerTransport.Stdio;
}
