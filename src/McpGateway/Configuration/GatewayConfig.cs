namespace McpGateway.Configuration;

/// <summary>One validated, immutable configuration snapshot. A reload builds a new one and swaps it whole.</summary>
public sealed record GatewayConfig
{
    public GatewayOptions Gateway { get; init; } = new();

    /// <summary>Configured upstream servers by name, in file order. Names are case-sensitive.</summary>
    public IReadOnlyList<ServerConfig> Servers { get; init; } = [];

    /// <summary>
    /// Configured views (<c>virtualServers</c>), in file order. Names are case-sensitive. The implicit view of every
    /// enabled server (<c>/mcp</c>) is not in this list.
    /// </summary>
    public IReadOnlyList<VirtualServerConfig> VirtualServers { get; init; } = [];

    /// <summary>The <c>observability:</c> section (telemetry export).</summary>
    public ObservabilityOptions Observability { get; init; } = new();

    /// <summary>The <c>storage:</c> section (where run-time registrations are kept); read at start-up only.</summary>
    public StorageOptions Storage { get; init; } = new();

    /// <summary>The <c>security:</c> section (upstream address policy).</summary>
    public SecurityOptions Security { get; init; } = new();
    /// <summary>The <c>auth:</c> section (API keys, JWT); empty when the gateway runs without authentication.</summary>
    public AuthOptions Auth { get; init; } = new();

    /// <summary>The <c>authorization:</c> section (policies); <see cref="AuthorizationOptions.Off"/> when absent.</summary>
    public AuthorizationOptions Authorization { get; init; } = AuthorizationOptions.Off;

    /// <summary>The <c>limits:</c> list (rate limits and quotas); none when absent.</summary>
    public LimitOptions Limits { get; init; } = LimitOptions.None;

    /// <summary>The <c>audit:</c> section; read at start-up only.</summary>
    public AuditOptions Audit { get; init; } = new();

    /// <summary>Where the snapshot came from (file path), for messages.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// The config file's top-level sections other than servers and views, as written (<c>${VAR}</c> unexpanded), so an
    /// export reproduces them; null when the config was built in code.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? Settings { get; init; }

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

    /// <summary>The configured view named <paramref name="name"/> (ordinal comparison), or null.</summary>
    public VirtualServerConfig? FindVirtualServer(string name)
    {
        foreach (var view in VirtualServers)
        {
            if (string.Equals(view.Name, name, StringComparison.Ordinal))
            {
                return view;
            }
        }

        return null;
    }

    /// <summary>
    /// The servers a view aggregates, in the order that decides conflicts: the view's <see cref="VirtualServerConfig.Servers"/>
    /// in list order, or every server in file order when that list is empty. Disabled servers are left out.
    /// </summary>
    public IReadOnlyList<ServerConfig> MembersOf(VirtualServerConfig view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var members = new List<ServerConfig>(view.Servers.Count == 0 ? Servers.Count : view.Servers.Count);
        if (view.Servers.Count == 0)
        {
            members.AddRange(Servers.Where(server => server.Enabled));
            return members;
        }

        foreach (var name in view.Servers)
        {
            if (FindServer(name) is { Enabled: true } server)
            {
                members.Add(server);
            }
        }

        return members;
    }
}

/// <summary>The <c>gateway:</c> section.</summary>
public sealed record GatewayOptions
{
    public const string DefaultListen = "http://127.0.0.1:8080";

    public const string DefaultToolNameSeparator = "__";

    public const int DefaultPageSize = 100;

    /// <summary>The largest accepted <see cref="PageSize"/> (also for <see cref="VirtualServerConfig.PageSize"/>).</summary>
    public const int MaxPageSize = 1000;

    /// <summary><c>gateway.tls</c>: HTTPS (and client certificates) on the listen address; null for plain HTTP.</summary>
    public TlsOptions? Tls { get; init; }

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

    /// <summary>How long the config file must stay quiet after a change before it is reloaded (editors write in bursts).</summary>
    public TimeSpan ReloadDebounce { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Browser origins allowed besides loopback ones. <c>*</c> allows any.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Explicit consent to listen on a non-loopback address without authentication.</summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>
    /// Joins server and item names in aggregated tool and prompt names (<c>{server}{separator}{name}</c>): 1 to 8 of
    /// the characters <c>[A-Za-z0-9_.-]</c>. No server name contains it, nor ends with a proper prefix of it.
    /// </summary>
    public string ToolNameSeparator { get; init; } = DefaultToolNameSeparator;

    /// <summary>Items per page of the gateway's own list results (1 to <see cref="MaxPageSize"/>); a view may override it.</summary>
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Console log format; <c>MCP_GATEWAY_LOG_FORMAT</c> and <c>--log-format</c> override it.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Lowest level logged; payloads are only logged at Trace. <c>MCP_GATEWAY_LOG_LEVEL</c> and <c>--log-level</c> override it.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>
    /// Bearer token for the admin API, <c>/deploy</c> and <c>/admin/mcp</c> (<c>gateway.adminToken</c>, else the
    /// <c>MCP_GATEWAY_ADMIN_TOKEN</c> environment variable). Without one they answer only loopback clients.
    /// </summary>
    public string? AdminToken { get; init; }

    /// <summary>Health check defaults for every server (<c>gateway.health</c>).</summary>
    public HealthCheckOptions Health { get; init; } = HealthCheckOptions.Default;

    /// <summary>The top-level <c>guardrails:</c> section; kept here because every session, view and link already holds these options.</summary>
    public GuardrailOptions Guardrails { get; init; } = GuardrailOptions.Default;
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

    /// <summary>Credentials the gateway obtains for a remote server (<c>auth:</c>); null: only <see cref="Headers"/>.</summary>
    public ClientCredentialsAuth? Auth { get; init; }

    /// <summary><c>auth: { type: perPrincipal }</c>: each principal's own stored credential goes upstream; null: none.</summary>
    public PrincipalCredentialAuth? PrincipalAuth { get; init; }

    /// <summary>Timeouts per tool, bulkhead, retries and circuit breaker (<c>toolTimeouts</c>, <c>concurrency</c>, <c>retries</c>, <c>circuitBreaker</c>).</summary>
    public ServerTrafficOptions Traffic { get; init; } = ServerTrafficOptions.Default;

    /// <summary>
    /// Stdio processes for the server's shared upstream sessions (<c>replicas</c>; stateless clients and
    /// <c>sessionMode: shared</c>): stateless requests take turns, a shared-mode client session stays on one.
    /// </summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Opt-in response caching (<c>cache:</c>).</summary>
    public ServerCacheOptions Cache { get; init; } = ServerCacheOptions.Off;

    /// <summary>Per-server override of <see cref="GatewayOptions.RequestTimeout"/>.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Per-server override of <see cref="GatewayOptions.ConnectTimeout"/>.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>
    /// The largest message accepted from this server (<c>maxMessageBytes</c>): a stdio line or an HTTP answer beyond it
    /// fails the request with a clear error instead of being buffered without bound.
    /// </summary>
    public long MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    public const long DefaultMaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>From <c>sessionMode</c> (or its older spelling <c>sessions</c>).</summary>
    public SessionMode Sessions { get; init; } = SessionMode.PerClient;

    /// <summary>Which of the server's tools (by the server's own names) any view may expose.</summary>
    public ItemFilter Tools { get; init; } = ItemFilter.All;

    /// <summary>Which of the server's prompts (by the server's own names) any view may expose.</summary>
    public ItemFilter Prompts { get; init; } = ItemFilter.All;

    /// <summary>Which of the server's resources and resource templates (by URI, and by <c>uriTemplate</c> for templates) any view may expose.</summary>
    public ItemFilter Resources { get; init; } = ItemFilter.All;

    /// <summary>First delay before restarting a crashed stdio server; doubles per consecutive crash.</summary>
    public TimeSpan RestartInitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the restart delay.</summary>
    public TimeSpan RestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>This server's health checks (<c>health:</c>, already merged over the gateway's defaults); null: the gateway's defaults.</summary>
    public HealthCheckOptions? Health { get; init; }

    /// <summary>Labels for finding servers (admin API filters); distinct, in the order written.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Overrides <see cref="GuardrailOptions.ValidateArguments"/> for this server (<c>validateArguments</c>); null follows it.</summary>
    public bool? ValidateArguments { get; init; }

    /// <summary>Overrides <see cref="GuardrailOptions.PinTools"/> for this server (<c>pinTools</c>); null follows it.</summary>
    public bool? PinTools { get; init; }

    /// <summary>Where the entry came from: the config file (read-only to the admin API) or the registry store.</summary>
    public EntryOrigin Origin { get; init; } = EntryOrigin.File;

    /// <summary>
    /// The entry as written (<c>${VAR}</c> references unexpanded), for the admin API and export; null when the config was
    /// built in code. Belongs to the snapshot: read it or <see cref="System.Text.Json.Nodes.JsonNode.DeepClone"/> it.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? Definition { get; init; }

    public bool IsRemote => Transport != ServerTransport.Stdio;
}

/// <summary>Where a server or view definition lives.</summary>
public enum EntryOrigin
{
    /// <summary>The config file: the declarative source, changed by editing the file (hot reload).</summary>
    File,

    /// <summary>The registry store: registered at run time through the admin API, <c>/deploy</c> or the management MCP server.</summary>
    Registry,
}
