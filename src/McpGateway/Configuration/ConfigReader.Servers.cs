using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

internal sealed partial class ConfigReader
{
    private const string TransportHelp = "stdio, http, streamable-http, streamableHttp or sse";

    private static readonly string[] ServerKeys =
    [
        "command", "args", "env", "cwd", "url", "headers", "additionalHeaders", "transport", "type", "description",
        "enabled", "disabled", "requestTimeout", "connectTimeout", "maxMessageBytes", "sessionMode", "sessions", "restart", "tools", "prompts", "resources",
        "health", "tags", "validateArguments", "auth", "pinTools", "maxRequestTimeout", "toolTimeouts", "concurrency", "retries", "circuitBreaker", "urls", "strategy", "cache", "replicas",
    ];

    private static readonly string[] RestartKeys = ["initialBackoff", "maxBackoff"];

    private static readonly ServerConfig Defaults = new() { Name = string.Empty };

    // `http` is VS Code's "Streamable HTTP, falling back to SSE", which is exactly AutoDetect.
    private static readonly Dictionary<string, ServerTransport> Transports = new(StringComparer.OrdinalIgnoreCase)
    {
        ["stdio"] = ServerTransport.Stdio,
        ["http"] = ServerTransport.AutoDetect,
        ["streamable-http"] = ServerTransport.StreamableHttp,
        ["streamableHttp"] = ServerTransport.StreamableHttp,
        ["sse"] = ServerTransport.Sse,
    };

    // `sessionMode` spells the values in camelCase, the older `sessions` key in kebab-case; both keys take both.
    private static readonly Dictionary<string, BalanceStrategy> Strategies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["failover"] = BalanceStrategy.Failover,
        ["round-robin"] = BalanceStrategy.RoundRobin,
        ["roundRobin"] = BalanceStrategy.RoundRobin,
        ["weighted"] = BalanceStrategy.Weighted,
        ["least-requests"] = BalanceStrategy.LeastRequests,
        ["leastRequests"] = BalanceStrategy.LeastRequests,
    };

    private static readonly Dictionary<string, SessionMode> SessionModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["perClient"] = SessionMode.PerClient,
        ["per-client"] = SessionMode.PerClient,
        ["shared"] = SessionMode.Shared,
    };

    /// <summary>Names of every entry under <c>mcpServers</c>, valid or not, so views can refer to them without cascading errors.</summary>
    private readonly List<string> _declaredServers = [];

    private List<ServerConfig> ReadServers(YamlNode node, string section)
    {
        var servers = new List<ServerConfig>();
        if (IsNull(node))
        {
            return servers;
        }

        if (node is not YamlMappingNode map)
        {
            Error(section, node, "must be a mapping from server name to its settings, e.g. `everything: { command: npx }`");
            return servers;
        }

        foreach (var (name, nameNode, value) in Entries(map, section))
        {
            _declaredServers.Add(name);
            if (ReadServer(name, nameNode, value, Join(section, name)) is { } server)
            {
                servers.Add(server);
            }
        }

        return servers;
    }

    private ServerConfig? ReadServer(string name, YamlScalarNode nameNode, YamlNode node, string path)
    {
        var errorCount = errors.Count;
        ValidateServerName(name, nameNode, path);
        if (node is not YamlMappingNode map)
        {
            Error(path, IsNull(node) ? nameNode : node, IsNull(node)
                ? "set either `command` (stdio) or `url` (remote)"
                : $"must be a mapping, not a {KindOf(node)}; set either `command` (stdio) or `url` (remote) in it");
            return null;
        }

        var draft = new ServerDraft();
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (!IsNull(value))
            {
                ReadServerEntry(draft, key, keyNode, value, Join(path, key));
            }
        }

        var transport = ResolveTransport(draft, nameNode, path);
        var isRemote = transport is not ServerTransport.Stdio;
        var enabled = ResolveEnabled(draft, path);
        var headers = MergeHeaders(draft, path);
        var sessions = ResolveSessionMode(draft);
        var principalAuth = draft.PrincipalAuthNode is var (authNode, authPath) && transport is not null ? ReadPrincipalAuth(authNode, authPath, isRemote) : null;
        ValidateRestart(draft, path);
        WarnIgnoredKeys(draft, transport);

        if (errors.Count > errorCount || transport is null)
        {
            return null;
        }

        return new ServerConfig
        {
            Name = name,
            Transport = transport.Value,
            Description = draft.Description,
            Enabled = enabled,
            Command = isRemote ? null : draft.Command,
            Args = isRemote ? [] : draft.Args,
            Env = isRemote ? new Dictionary<string, string>() : draft.Env,
            Cwd = isRemote ? null : draft.Cwd,
            Url = isRemote ? draft.Url : null,
            Headers = isRemote ? headers : new Dictionary<string, string>(),
            Auth = isRemote ? draft.Auth : null,
            PrincipalAuth = principalAuth,
            Cache = draft.Cache,
            Replicas = isRemote ? 1 : draft.Replicas,
            Traffic = draft.Traffic with
            {
                Endpoints = isRemote ? draft.Endpoints ?? [] : [],
                Strategy = draft.Strategy ?? BalanceStrategy.Failover,
            },
            RequestTimeout = draft.RequestTimeout,
            MaxMessageBytes = draft.MaxMessageBytes ?? ServerConfig.DefaultMaxMessageBytes,
            ConnectTimeout = draft.ConnectTimeout,
            Sessions = sessions,
            Tools = draft.Tools,
            Prompts = draft.Prompts,
            Resources = draft.Resources,
            RestartInitialBackoff = draft.InitialBackoff,
            RestartMaxBackoff = draft.MaxBackoff,
            Health = draft.Health,
            Tags = draft.Tags,
            ValidateArguments = draft.ValidateArguments,
            PinTools = draft.PinTools,
            Definition = YamlJson.ToJsonObject(map),
        };
    }

    /// <summary>
    /// Names become URL path segments and tool-name prefixes (<c>{server}{separator}{tool}</c>), so they are restricted.
    /// A name must not contain the separator, nor end with a proper prefix of it (with <c>__</c>: a trailing <c>_</c>),
    /// so that no two servers' composed names can coincide: <c>a_</c>+<c>__</c>+<c>x</c> and <c>a</c>+<c>__</c>+<c>_x</c>
    /// would both be <c>a___x</c>.
    /// </summary>
    private void ValidateServerName(string name, YamlNode nameNode, string path)
    {
        if (!ServerNamePattern().IsMatch(name))
        {
            Error(path, nameNode, $"server name `{name}` is not allowed; use 1 to 64 letters, digits, `_`, `.` or `-`, starting with a letter or digit (pattern ^[A-Za-z0-9][A-Za-z0-9_.-]{{0,63}}$), because it becomes a URL path segment and a tool-name prefix");
        }
        else if (_separator is not { } separator)
        {
            // gateway.toolNameSeparator is invalid and already reported; checking against a guess would only add noise.
        }
        else if (name.Contains(separator, StringComparison.Ordinal))
        {
            Error(path, nameNode, $"server name `{name}` contains `{separator}`, the separator between server and tool names (`gateway.toolNameSeparator`); {SeparatorFix(separator)}");
        }
        else if (EndsWithSeparatorStart(name, separator) is { } tail)
        {
            Error(path, nameNode, $"server name `{name}` ends with `{tail}`, the start of the separator `{separator}` (`gateway.toolNameSeparator`), so its tool names could coincide with another server's; remove the trailing `{tail}`");
        }
    }

    private static string SeparatorFix(string separator) => separator == GatewayOptions.DefaultToolNameSeparator
        ? "use a single `_` or `-` instead"
        : $"rename the server so it does not contain `{separator}`, or choose another `toolNameSeparator`";

    /// <summary>The longest non-empty proper prefix of <paramref name="separator"/> that <paramref name="name"/> ends with, if any.</summary>
    private static string? EndsWithSeparatorStart(string name, string separator)
    {
        for (var length = separator.Length - 1; length > 0; length--)
        {
            if (name.AsSpan().EndsWith(separator.AsSpan(0, length), StringComparison.Ordinal))
            {
                return separator[..length];
            }
        }

        return null;
    }

    private void ReadServerEntry(ServerDraft draft, string key, YamlScalarNode keyNode, YamlNode value, string path)
    {
        switch (key)
        {
            case "command":
                draft.CommandKey = keyNode;
                draft.Command = ReadNonEmptyString(value, path, "the program to run, e.g. npx");
                break;
            case "args":
                draft.Args = ReadStringList(value, path, "[\"-y\", \"@modelcontextprotocol/server-everything\"]")?.ConvertAll(item => item.Text) ?? [];
                draft.StdioOnlyKeys.Add((path, keyNode));
                break;
            case "env":
                draft.Env = ReadEnvironment(value, path);
                draft.StdioOnlyKeys.Add((path, keyNode));
                break;
            case "cwd":
                draft.Cwd = ReadNonEmptyString(value, path, "the directory to start the process in");
                draft.StdioOnlyKeys.Add((path, keyNode));
                break;
            case "restart":
                ReadRestart(draft, value, path);
                draft.StdioOnlyKeys.Add((path, keyNode));
                break;
            case "url" when draft.UrlKey is { } urlsKey:
                Error(path, keyNode, $"set only one of `url` and `urls` (line {LineOf(urlsKey)}); list every endpoint under `urls`");
                break;
            case "url":
                draft.UrlKey = keyNode;
                draft.Url = ReadUrl(value, path);
                break;
            case "urls" when draft.UrlKey is { } urlKey:
                Error(path, keyNode, $"set only one of `url` (line {LineOf(urlKey)}) and `urls`; list every endpoint under `urls`");
                break;
            case "urls":
                draft.UrlKey = keyNode;
                draft.Endpoints = ReadEndpoints(value, path);
                draft.Url = draft.Endpoints?.FirstOrDefault()?.Url;
                break;
            case "replicas":
                draft.Replicas = ReadPositiveInteger(value, path, "processes", "3") is { } replicas ? (int)Math.Min(replicas, 64) : draft.Replicas;
                draft.StdioOnlyKeys.Add((path, keyNode));
                break;
            case "cache":
                draft.Cache = ReadCache(value, path) ?? draft.Cache;
                break;
            case "strategy":
                draft.Strategy = ReadChoice(value, path, Strategies, "failover, round-robin, weighted or least-requests");
                draft.RemoteOnlyKeys.Add((path, keyNode));
                break;
            case "headers" or "additionalHeaders":
                draft.HeaderSources.Add((key, ReadStringMap(value, path, "{ Authorization: \"Bearer ${TOKEN}\" }")));
                draft.RemoteOnlyKeys.Add((path, keyNode));
                break;
            case "auth" when IsPerPrincipal(value):
                // Read once the transport is known: a header for remote servers, an environment variable for stdio.
                draft.PrincipalAuthNode = ((YamlMappingNode)value, path);
                break;
            case "auth":
                draft.Auth = ReadUpstreamAuth(value, path);
                draft.RemoteOnlyKeys.Add((path, keyNode));
                break;
            case "transport" or "type":
                draft.Transports.Add((key, path, value, ReadTransport(value, path)));
                break;
            case "description":
                draft.Description = Text(value, path, "a string");
                break;
            case "enabled":
                draft.Enabled = (ReadBoolean(value, path), value);
                break;
            case "disabled":
                draft.Disabled = (ReadBoolean(value, path), value);
                break;
            case "maxMessageBytes":
                draft.MaxMessageBytes = ReadPositiveInteger(value, path, "bytes", "16777216");
                break;
            case "requestTimeout":
                draft.RequestTimeout = ReadDuration(value, path);
                break;
            case "connectTimeout":
                draft.ConnectTimeout = ReadDuration(value, path);
                break;
            case "sessionMode" or "sessions":
                draft.SessionModes.Add((key, path, value, ReadChoice(value, path, SessionModes, "perClient or shared")));
                break;
            case "tools":
                draft.Tools = ReadFilter(value, path, FilterKind.ServerTools)?.Filter ?? draft.Tools;
                break;
            case "prompts":
                draft.Prompts = ReadFilter(value, path, FilterKind.ServerPrompts)?.Filter ?? draft.Prompts;
                break;
            case "resources":
                draft.Resources = ReadFilter(value, path, FilterKind.Resources)?.Filter ?? draft.Resources;
                break;
            case "health":
                draft.Health = ReadHealth(value, path, _healthDefaults);
                break;
            case "tags":
                draft.Tags = ReadTags(value, path);
                break;
            case "validateArguments":
                draft.ValidateArguments = ReadBoolean(value, path);
                break;
            case "pinTools":
                draft.PinTools = ReadBoolean(value, path);
                break;
            default:
                var traffic = draft.Traffic;
                if (TryReadTrafficKey(key, value, path, ref traffic))
                {
                    draft.Traffic = traffic;
                    break;
                }

                UnknownKey(path, keyNode, ServerKeys);
                break;
        }
    }

    /// <summary>Labels for finding servers (<c>tags: [search, internal]</c>): distinct, 1 to 64 characters each.</summary>
    private List<string> ReadTags(YamlNode node, string path)
    {
        var tags = new List<string>();
        foreach (var (text, itemNode, itemPath) in ReadStringList(node, path, "[search, internal]") ?? [])
        {
            var tag = text.Trim();
            if (tag.Length is 0 or > 64)
            {
                Error(itemPath, itemNode, "a tag must be 1 to 64 characters");
            }
            else if (!tags.Contains(tag, StringComparer.Ordinal))
            {
                tags.Add(tag);
            }
        }

        return tags;
    }

    private Uri? ReadUrl(YamlNode node, string path)
    {
        if (Text(node, path, "a URL") is not { } text)
        {
            return null;
        }

        if (ConfigValueParser.TryParseHttpUrl(text, out var url))
        {
            return url;
        }

        Error(path, node, $"`{Raw(node)}` is not an absolute http:// or https:// URL; write e.g. https://mcp.example.com/mcp");
        return null;
    }

    private ServerTransport? ReadTransport(YamlNode node, string path) =>
        ReadChoice(node, path, Transports, $"{TransportHelp} (or remove the key to detect Streamable HTTP or SSE from the URL)");

    private T? ReadChoice<T>(YamlNode node, string path, Dictionary<string, T> choices, string help)
        where T : struct
    {
        if (Text(node, path, $"one of {help}") is not { } text)
        {
            return null;
        }

        if (choices.TryGetValue(text.Trim(), out var value))
        {
            return value;
        }

        Error(path, node, $"`{Raw(node)}` is not accepted; write one of {help}");
        return null;
    }

    private Dictionary<string, string> ReadEnvironment(YamlNode node, string path)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, keyNode, value, entryPath) in ReadStringMap(node, path, "{ LOG_LEVEL: info }") ?? [])
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
            {
                Error(entryPath, keyNode, "is not a valid environment variable name; use a name without `=`, e.g. LOG_LEVEL");
                continue;
            }

            env[key] = value;
        }

        return env;
    }

    private void ReadRestart(ServerDraft draft, YamlNode node, string path)
    {
        draft.RestartNode = node;
        if (node is not YamlMappingNode map)
        {
            Error(path, node, "must be a mapping, e.g. `{ initialBackoff: 250ms, maxBackoff: 30s }`");
            return;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            switch (key)
            {
                case "initialBackoff":
                    draft.InitialBackoff = ReadDuration(value, keyPath) ?? draft.InitialBackoff;
                    break;
                case "maxBackoff":
                    draft.MaxBackoff = ReadDuration(value, keyPath) ?? draft.MaxBackoff;
                    break;
                default:
                    UnknownKey(keyPath, keyNode, RestartKeys);
                    break;
            }
        }
    }

    // ---- cross-key validators ----

    /// <summary>Decides stdio vs remote from <c>command</c>/<c>url</c> and checks <c>transport</c>/<c>type</c> agree with it.</summary>
    private ServerTransport? ResolveTransport(ServerDraft draft, YamlNode nameNode, string path)
    {
        if (draft.CommandKey is not null && draft.UrlKey is not null)
        {
            Error(path, nameNode, "set only one of `command` (stdio) or `url` (remote), not both; split it into two servers if you need both");
            return null;
        }

        if (draft.CommandKey is null && draft.UrlKey is null)
        {
            Error(path, nameNode, "set either `command` (stdio) or `url` (remote)");
            return null;
        }

        ServerTransport? requested = null;
        foreach (var (key, keyPath, node, value) in draft.Transports)
        {
            if (value is null)
            {
                return null;
            }

            if (requested is { } earlier && earlier != value)
            {
                Error(keyPath, node, $"`{key}: {Raw(node)}` disagrees with the other transport key; keep only one of `transport` and `type`");
                return null;
            }

            requested = value;
            if (draft.CommandKey is not null && value != ServerTransport.Stdio)
            {
                Error(keyPath, node, $"`{Raw(node)}` is a remote transport but this server runs a `command`; remove `{key}`, or replace `command` with `url`");
                return null;
            }

            if (draft.UrlKey is not null && value == ServerTransport.Stdio)
            {
                Error(keyPath, node, $"`stdio` runs a local `command` but this server has a `url`; remove `{key}` or write http, streamable-http or sse");
                return null;
            }
        }

        return draft.CommandKey is not null ? ServerTransport.Stdio : requested ?? ServerTransport.AutoDetect;
    }

    /// <summary><c>sessionMode</c>, or its older spelling <c>sessions</c>; both may be present when they agree.</summary>
    private SessionMode ResolveSessionMode(ServerDraft draft)
    {
        (string Key, YamlNode Node, SessionMode Value)? first = null;
        foreach (var (key, keyPath, node, value) in draft.SessionModes)
        {
            if (value is not { } mode)
            {
                continue;
            }

            if (first is { } earlier && earlier.Value != mode)
            {
                Error(keyPath, node, $"`{key}: {Raw(node)}` disagrees with `{earlier.Key}: {Raw(earlier.Node)}` (line {LineOf(earlier.Node)}); keep only `sessionMode`");
                continue;
            }

            first ??= (key, node, mode);
        }

        return first?.Value ?? Defaults.Sessions;
    }

    /// <summary><c>enabled</c>, or Cline's <c>disabled</c> as its inverse; both may be present when they agree.</summary>
    private bool ResolveEnabled(ServerDraft draft, string path)
    {
        if (draft.Enabled is ({ } enabled, _) && draft.Disabled is ({ } disabled, var disabledNode) && enabled == disabled)
        {
            Error(Join(path, "disabled"), disabledNode, $"`enabled: {(enabled ? "true" : "false")}` and `disabled: {(disabled ? "true" : "false")}` contradict each other; keep only `enabled`");
        }

        return draft.Enabled?.Value ?? !(draft.Disabled?.Value ?? false);
    }

    /// <summary>
    /// <c>headers</c> and <c>additionalHeaders</c> are merged. HTTP header names ignore case, so a name set twice
    /// (in both maps, or in two spellings) is an error rather than a silent pick.
    /// </summary>
    private Dictionary<string, string> MergeHeaders(ServerDraft draft, string path)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var origins = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, entries) in draft.HeaderSources)
        {
            foreach (var (name, nameNode, value, entryPath) in entries ?? [])
            {
                if (!IsHeaderName(name))
                {
                    Error(entryPath, nameNode, $"`{name}` is not a valid HTTP header name; use letters, digits and -, e.g. Authorization");
                }
                else if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                {
                    Error(entryPath, nameNode, "the header value contains a line break; write it on one line");
                }
                else if (origins.TryGetValue(name, out var first))
                {
                    Error(entryPath, nameNode, $"header `{name}` is already set in `{first}`; set each header once");
                }
                else
                {
                    headers[name] = value;
                    origins[name] = $"{Join(path, section)}.{name}";
                }
            }
        }

        return headers;
    }

    private void ValidateRestart(ServerDraft draft, string path)
    {
        if (draft.InitialBackoff > draft.MaxBackoff)
        {
            Error(Join(path, "restart"), draft.RestartNode, $"`initialBackoff` ({ConfigValueParser.FormatDuration(draft.InitialBackoff)}) is longer than `maxBackoff` ({ConfigValueParser.FormatDuration(draft.MaxBackoff)}); make initialBackoff the smaller one");
        }
    }

    private void WarnIgnoredKeys(ServerDraft draft, ServerTransport? transport)
    {
        if (transport is null)
        {
            return;
        }

        var (ignored, message) = transport == ServerTransport.Stdio
            ? (draft.RemoteOnlyKeys, "only used by remote (`url`) servers; ignored for a `command` server")
            : (draft.StdioOnlyKeys, "only used by stdio (`command`) servers; ignored for a `url` server");

        foreach (var (keyPath, keyNode) in ignored)
        {
            Warning(keyPath, keyNode, message);
        }
    }

    private static bool IsHeaderName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            // RFC 9110 token characters.
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // \z, not $: `$` would also accept a name ending in a line break.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ServerNamePattern();

    /// <summary>What one server entry said, before the cross-key checks; nodes are kept for line numbers.</summary>
    private sealed class ServerDraft
    {
        public YamlNode? CommandKey { get; set; }

        public string? Command { get; set; }

        public List<string> Args { get; set; } = [];

        public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

        public string? Cwd { get; set; }

        public YamlNode? UrlKey { get; set; }

        public Uri? Url { get; set; }

        public ClientCredentialsAuth? Auth { get; set; }

        public (YamlMappingNode Node, string Path)? PrincipalAuthNode { get; set; }

        public ServerTrafficOptions Traffic { get; set; } = ServerTrafficOptions.Default;

        public List<UpstreamEndpoint>? Endpoints { get; set; }

        public ServerCacheOptions Cache { get; set; } = ServerCacheOptions.Off;

        public int Replicas { get; set; } = 1;

        public BalanceStrategy? Strategy { get; set; }

        public List<(string Section, List<(string Key, YamlScalarNode KeyNode, string Value, string Path)>? Entries)> HeaderSources { get; } = [];

        public List<(string Key, string Path, YamlNode Node, ServerTransport? Value)> Transports { get; } = [];

        public string? Description { get; set; }

        public IReadOnlyList<string> Tags { get; set; } = [];

        public (bool? Value, YamlNode Node)? Enabled { get; set; }

        public (bool? Value, YamlNode Node)? Disabled { get; set; }

        public TimeSpan? RequestTimeout { get; set; }

        public long? MaxMessageBytes { get; set; }

        public TimeSpan? ConnectTimeout { get; set; }

        public List<(string Key, string Path, YamlNode Node, SessionMode? Value)> SessionModes { get; } = [];

        public ItemFilter Tools { get; set; } = ItemFilter.All;

        public bool? ValidateArguments { get; set; }

        public bool? PinTools { get; set; }

        public ItemFilter Prompts { get; set; } = ItemFilter.All;

        public ItemFilter Resources { get; set; } = ItemFilter.All;

        public YamlNode? RestartNode { get; set; }

        public TimeSpan InitialBackoff { get; set; } = Defaults.RestartInitialBackoff;

        public TimeSpan MaxBackoff { get; set; } = Defaults.RestartMaxBackoff;

        public HealthCheckOptions? Health { get; set; }

        public List<(string Path, YamlScalarNode KeyNode)> StdioOnlyKeys { get; } = [];

        public List<(string Path, YamlScalarNode KeyNode)> RemoteOnlyKeys { get; } = [];
    }
}
