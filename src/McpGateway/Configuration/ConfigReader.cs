using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>
/// Reads a parsed config tree into <see cref="GatewayConfig"/>, adding every problem to the error or warning list.
/// Messages quote file text, never expanded values: an environment variable may hold a secret.
/// </summary>
internal sealed partial class ConfigReader(
    Func<string, string?> getVariable,
    List<ConfigDiagnostic> errors,
    List<ConfigDiagnostic> warnings)
{
    private const string McpServersKey = "mcpServers";
    private const string ServersKey = "servers";
    private const string VirtualServersKey = "virtualServers";

    private static readonly string[] RootKeys = ["gateway", McpServersKey, ServersKey, VirtualServersKey, ObservabilityKey, StorageKey, GuardrailsKey, SecurityKey, AuthKey, AuthorizationKey, AuditKey, LimitsKey, "$schema"];

    private static readonly string[] GatewayKeys =
    [
        "listen", "maxRequestBodyBytes", "requestTimeout", "connectTimeout", "sessionIdleTimeout", "resumeWindow", "allowedOrigins", "allowAnonymous",
        "toolNameSeparator", "pageSize", "logFormat", "logLevel", "reloadDebounce", "health", "adminToken", "tls",
    ];

    /// <summary>The separator server names are checked against; null when <c>gateway.toolNameSeparator</c> is invalid (already an error).</summary>
    private string? _separator = GatewayOptions.DefaultToolNameSeparator;

    /// <summary>Builds the config; the caller discards it when any error was added.</summary>
    public GatewayConfig Read(YamlNode? root, string source)
    {
        var config = new GatewayConfig { Source = source };
        if (root is null || IsNull(root))
        {
            Warning(McpServersKey, null, NoServersMessage);
            return config;
        }

        if (root is not YamlMappingNode document)
        {
            Error(string.Empty, root, "the file must be a mapping with `mcpServers:` (and optionally `gateway:`) at the top level");
            return config;
        }

        (string Key, YamlScalarNode KeyNode, YamlNode Value)? section = null;
        YamlNode? views = null;
        YamlNode? observability = null;
        YamlNode? storage = null;
        YamlNode? guardrails = null;
        YamlNode? security = null;
        YamlNode? auth = null;
        YamlNode? authorization = null;
        YamlNode? audit = null;
        YamlNode? limits = null;
        foreach (var (key, keyNode, value) in Entries(document, string.Empty))
        {
            switch (key)
            {
                case "gateway":
                    config = config with { Gateway = ReadGateway(value, key) };
                    if (config.Gateway.Tls is not null && config.Gateway.Listen.Split(';').Any(url => !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                    {
                        Error("gateway.listen", value, $"`{config.Gateway.Listen}` is plain http but gateway.tls is set; write an https:// address, e.g. https://0.0.0.0:8443");
                    }

                    break;
                case McpServersKey or ServersKey when section is { } first:
                    Error(key, keyNode, $"`{first.Key}` (line {LineOf(first.KeyNode)}) and `{key}` are the same section; keep one and move all servers under `{McpServersKey}:`");
                    break;
                case McpServersKey or ServersKey:
                    section = (key, keyNode, value);
                    break;
                case VirtualServersKey:
                    // Read after the servers it refers to, wherever it stands in the file.
                    views = value;
                    break;
                case ObservabilityKey:
                    // Read after the loop: the OTEL_* environment variables apply when the section is absent too.
                    observability = value;
                    break;
                case StorageKey:
                    storage = value;
                    break;
                case GuardrailsKey:
                    guardrails = value;
                    break;
                case SecurityKey:
                    security = value;
                    break;
                case AuthKey:
                    auth = value;
                    break;
                case AuthorizationKey:
                    authorization = value;
                    break;
                case AuditKey:
                    audit = value;
                    break;
                case LimitsKey:
                    limits = value;
                    break;
                case "$schema":
                    // Only serves editors.
                    break;
                default:
                    UnknownKey(key, keyNode, RootKeys);
                    break;
            }
        }

        config = config with { Settings = SettingsOf(document) };
        List<ServerConfig> list = [];
        if (section is not { } servers)
        {
            Warning(McpServersKey, null, NoServersMessage);
        }
        else
        {
            var errorCount = errors.Count;
            list = ReadServers(servers.Value, servers.Key);
            if (list.Count == 0 && errors.Count == errorCount)
            {
                Warning(servers.Key, servers.KeyNode, NoServersMessage);
            }
        }

        config = config with { Servers = list };
        config = config with { Observability = ReadObservability(observability, ObservabilityKey) };
        config = config with { Storage = ReadStorage(storage, StorageKey, source) };
        if (guardrails is not null)
        {
            config = config with { Gateway = config.Gateway with { Guardrails = ReadGuardrails(guardrails, GuardrailsKey) } };
        }

        config = config with { Security = ReadSecurity(security, SecurityKey) };
        config = config with { Auth = ReadAuth(auth, AuthKey) };
        if (audit is not null)
        {
            config = config with { Audit = ReadAudit(audit, AuditKey) };
        }

        if (authorization is not null)
        {
            config = config with { Authorization = ReadAuthorization(authorization, AuthorizationKey) };
        }

        if (limits is not null)
        {
            config = config with { Limits = ReadLimits(limits, LimitsKey) };
        }

        return views is null ? config : config with { VirtualServers = ReadVirtualServers(views, VirtualServersKey, config) };
    }

    /// <summary>The top-level sections other than servers and views, as written, for export.</summary>
    private static System.Text.Json.Nodes.JsonObject SettingsOf(YamlMappingNode document)
    {
        var settings = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in document.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && name is not (McpServersKey or ServersKey or VirtualServersKey or "$schema"))
            {
                settings[name] = YamlJson.ToJson(value);
            }
        }

        return settings;
    }

    private string? ReadAdminToken(YamlNode node, string path)
    {
        var token = ReadNonEmptyString(node, path, "a long random secret, e.g. \"${MCP_GATEWAY_ADMIN_TOKEN}\"");
        if (token is not null && token.Length < 16)
        {
            // The message must not echo the token.
            Error(path, node, "is shorter than 16 characters; use a long random secret (e.g. `openssl rand -hex 32`)");
            return null;
        }

        return token;
    }

    private const string NoServersMessage = "no servers configured; add entries under `mcpServers:` (the gateway starts but offers no tools)";

    private GatewayOptions ReadGateway(YamlNode node, string path)
    {
        var options = new GatewayOptions();
        if (IsNull(node))
        {
            return options;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping of gateway settings, e.g. `listen: {GatewayOptions.DefaultListen}`");
            return options;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            options = key switch
            {
                "listen" => ReadListen(value, keyPath) is { } listen ? options with { Listen = listen } : options,
                "maxRequestBodyBytes" => ReadPositiveInteger(value, keyPath, "bytes", "4194304") is { } max ? options with { MaxRequestBodyBytes = max } : options,
                "requestTimeout" => ReadDuration(value, keyPath) is { } request ? options with { RequestTimeout = request } : options,
                "connectTimeout" => ReadDuration(value, keyPath) is { } connect ? options with { ConnectTimeout = connect } : options,
                "sessionIdleTimeout" => ReadDuration(value, keyPath) is { } idle ? options with { SessionIdleTimeout = idle } : options,
                "resumeWindow" => ReadDuration(value, keyPath) is { } resume ? options with { ResumeWindow = resume } : options,
                "reloadDebounce" => ReadDuration(value, keyPath) is { } debounce ? options with { ReloadDebounce = debounce } : options,
                "allowedOrigins" => ReadOrigins(value, keyPath) is { } origins ? options with { AllowedOrigins = origins } : options,
                "allowAnonymous" => ReadBoolean(value, keyPath) is { } anonymous ? options with { AllowAnonymous = anonymous } : options,
                "tls" => IsNull(value) ? options : options with { Tls = ReadTls(value, keyPath) },
                "toolNameSeparator" => ReadSeparator(value, keyPath) is { } separator ? options with { ToolNameSeparator = separator } : options,
                "pageSize" => ReadPageSize(value, keyPath) is { } pageSize ? options with { PageSize = pageSize } : options,
                "logFormat" => ReadLogFormat(value, keyPath) is { } logFormat ? options with { LogFormat = logFormat } : options,
                "logLevel" => ReadLogLevel(value, keyPath) is { } logLevel ? options with { LogLevel = logLevel } : options,
                "adminToken" => ReadAdminToken(value, keyPath) is { } token ? options with { AdminToken = token } : options,
                "health" => ReadHealth(value, keyPath, HealthCheckOptions.Default) is { } health ? options with { Health = _healthDefaults = health } : options,
                _ => UnknownKey(keyPath, keyNode, GatewayKeys, options),
            };
        }

        return options;
    }

    /// <summary>One URL or several separated by <c>;</c> (the ASPNETCORE_URLS form).</summary>
    private string? ReadListen(YamlNode node, string path)
    {
        if (Text(node, path, "a URL") is not { } text)
        {
            return null;
        }

        var parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            Error(path, node, $"is empty; write a URL such as {GatewayOptions.DefaultListen}");
            return null;
        }

        foreach (var part in parts)
        {
            if (!ConfigValueParser.TryParseListenAddress(part, out var problem))
            {
                Error(path, node, parts.Length == 1 ? $"`{Raw(node)}` {problem}" : $"every `;`-separated address in `{Raw(node)}` {problem}");
                return null;
            }
        }

        return text.Trim();
    }

    private string? ReadSeparator(YamlNode node, string path)
    {
        _separator = null;
        if (Text(node, path, "a separator such as __") is not { } text)
        {
            return null;
        }

        if (text.Length is 0 or > MaxSeparatorLength || !IsNameText(text))
        {
            Error(path, node, $"`{Raw(node)}` cannot join server and tool names; write 1 to {MaxSeparatorLength} of the characters tool names allow (letters, digits, `_`, `.`, `-`), e.g. `__` (the default) or `.`");
            return null;
        }

        _separator = text;
        return text;
    }

    private const int MaxSeparatorLength = 8;

    /// <summary>A page size: 1 to <see cref="GatewayOptions.MaxPageSize"/> items.</summary>
    private int? ReadPageSize(YamlNode node, string path)
    {
        if (Text(node, path, "a whole number of items") is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is > 0 and <= GatewayOptions.MaxPageSize)
        {
            return value;
        }

        Error(path, node, $"`{Raw(node)}` is not a page size; write a whole number of items from 1 to {GatewayOptions.MaxPageSize}, e.g. {GatewayOptions.DefaultPageSize}");
        return null;
    }

    /// <summary>Only the characters MCP allows in tool and prompt names: <c>[A-Za-z0-9_.-]</c>.</summary>
    private static bool IsNameText(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private List<string>? ReadOrigins(YamlNode node, string path)
    {
        if (ReadStringList(node, path, "[\"https://app.example.com\"]") is not { } items)
        {
            return null;
        }

        var origins = new List<string>(items.Count);
        var valid = true;
        foreach (var (text, itemNode, itemPath) in items)
        {
            if (ConfigValueParser.TryParseOrigin(text, out var origin))
            {
                origins.Add(origin!);
            }
            else
            {
                Error(itemPath, itemNode, $"`{Raw(itemNode)}` is not an origin; write scheme://host[:port] such as https://app.example.com, or * to allow any");
                valid = false;
            }
        }

        return valid ? origins : null;
    }

    // ---- scalar readers: each returns null after adding an error, so callers never cascade a second one ----

    /// <summary>The scalar's text with environment references expanded.</summary>
    private string? Text(YamlNode node, string path, string expected)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(path, node, $"must be {expected}, not a {KindOf(node)}");
            return null;
        }

        if (IsNull(scalar))
        {
            Error(path, node, $"must be {expected}; it is empty");
            return null;
        }

        var problems = new List<string>();
        var expanded = EnvironmentExpander.Expand(scalar.Value ?? string.Empty, getVariable, problems);
        foreach (var problem in problems)
        {
            Error(path, node, problem);
        }

        return expanded;
    }

    private string? ReadNonEmptyString(YamlNode node, string path, string example)
    {
        var text = Text(node, path, "a string");
        if (text is not null && text.Trim().Length == 0)
        {
            Error(path, node, $"is empty; write {example}, or remove the key");
            return null;
        }

        return text;
    }

    private bool? ReadBoolean(YamlNode node, string path)
    {
        if (Text(node, path, "true or false") is not { } text)
        {
            return null;
        }

        if (ConfigValueParser.TryParseBoolean(text, out var value))
        {
            return value;
        }

        Error(path, node, $"`{Raw(node)}` is not a boolean; write true or false");
        return null;
    }

    private long? ReadPositiveInteger(YamlNode node, string path, string unit, string example)
    {
        if (Text(node, path, $"a whole number of {unit}") is not { } text)
        {
            return null;
        }

        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        Error(path, node, $"`{Raw(node)}` is not a whole number of {unit} greater than zero; write e.g. {example}");
        return null;
    }

    private TimeSpan? ReadDuration(YamlNode node, string path)
    {
        if (Text(node, path, "a duration") is not { } text)
        {
            return null;
        }

        if (!ConfigValueParser.TryParseDuration(text, out var value))
        {
            Error(path, node, $"`{Raw(node)}` is not a duration; {ConfigValueParser.DurationHelp}");
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            Error(path, node, $"`{Raw(node)}` must be longer than zero; {ConfigValueParser.DurationHelp}");
            return null;
        }

        return value;
    }

    /// <summary>A list of scalars (numbers and booleans become their text), each with its node and path for later checks.</summary>
    private List<(string Text, YamlNode Node, string Path)>? ReadStringList(YamlNode node, string path, string example)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, node, $"must be a list of strings, e.g. {example}, not a {KindOf(node)}");
            return null;
        }

        var items = new List<(string, YamlNode, string)>(sequence.Children.Count);
        var valid = true;
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            var itemPath = $"{path}[{i}]";
            if (Text(item, itemPath, "a string") is { } text)
            {
                items.Add((text, item, itemPath));
            }
            else
            {
                valid = false;
            }
        }

        return valid ? items : null;
    }

    /// <summary>A mapping of name to scalar (numbers and booleans become their text).</summary>
    private List<(string Key, YamlScalarNode KeyNode, string Value, string Path)>? ReadStringMap(YamlNode node, string path, string example)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping of names to strings, e.g. {example}, not a {KindOf(node)}");
            return null;
        }

        var entries = new List<(string, YamlScalarNode, string, string)>(map.Children.Count);
        var valid = true;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var entryPath = Join(path, key);
            if (Text(value, entryPath, "a string") is { } text)
            {
                entries.Add((key, keyNode, text, entryPath));
            }
            else
            {
                valid = false;
            }
        }

        return valid && entries.Count == map.Children.Count ? entries : null;
    }

    // ---- structure helpers ----

    /// <summary>The mapping's entries with scalar keys; a list or mapping used as a key is an error.</summary>
    private List<(string Key, YamlScalarNode KeyNode, YamlNode Value)> Entries(YamlMappingNode map, string path)
    {
        var entries = new List<(string, YamlScalarNode, YamlNode)>(map.Children.Count);
        foreach (var (key, value) in map.Children)
        {
            if (key is YamlScalarNode { Value: { } name } scalar)
            {
                entries.Add((name, scalar, value));
            }
            else
            {
                Error(path, key, $"a key must be a plain name, not a {KindOf(key)}");
            }
        }

        return entries;
    }

    private void UnknownKey(string path, YamlScalarNode keyNode, IReadOnlyList<string> knownKeys)
    {
        var key = keyNode.Value ?? string.Empty;
        var hint = knownKeys.FirstOrDefault(known => string.Equals(known, key, StringComparison.OrdinalIgnoreCase)) is { } match
            ? $"; did you mean `{match}`?"
            : ForeignKeyHint(key);
        Warning(path, keyNode, $"unknown key, ignored{hint}");
    }

    private T UnknownKey<T>(string path, YamlScalarNode keyNode, IReadOnlyList<string> knownKeys, T unchanged)
    {
        UnknownKey(path, keyNode, knownKeys);
        return unchanged;
    }

    // Keys other MCP clients (Cline, Windsurf, Gemini CLI, VS Code) or YAML habits bring that have a gateway equivalent.
    private static string ForeignKeyHint(string key) => key switch
    {
        "timeout" => "; for a per-request limit write `requestTimeout: 60s`",
        "envFile" => "; list the variables under `env:` instead",
        "serverUrl" or "httpUrl" => "; write `url` instead",
        "<<" => "; YAML merge keys are not supported, write the keys out",
        "include" or "allowlist" => "; write `allow: [...]` (globs of names to expose)",
        "exclude" or "denylist" => "; write `deny: [...]` (globs of names to hide)",
        "separator" => "; write `toolNameSeparator` under `gateway:`",
        _ => string.Empty,
    };

    private void Error(string path, YamlNode? node, string message) =>
        errors.Add(new ConfigDiagnostic(path, node is null ? null : LineOf(node), message));

    private void Warning(string path, YamlNode? node, string message) =>
        warnings.Add(new ConfigDiagnostic(path, node is null ? null : LineOf(node), message));

    private static int LineOf(YamlNode node) => ConfigDocumentParser.LineOf(node);

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The text as written in the file (before expansion), safe to quote in a message.</summary>
    private static string Raw(YamlNode node) => node is YamlScalarNode { Value: { } value } ? value : string.Empty;

    /// <summary><c>key:</c>, <c>key: null</c> and <c>key: ~</c> mean "not set"; a quoted <c>""</c> is an empty string.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string KindOf(YamlNode node) => node switch
    {
        YamlSequenceNode => "list",
        YamlMappingNode => "mapping",
        _ => "single value",
    };
}
