namespace McpGateway.Configuration;

/// <summary>
/// Loads a gateway config file (YAML or JSON, same keys) into a validated <see cref="GatewayConfig"/>.
/// </summary>
/// <remarks>
/// <para>Top level: <c>gateway</c>, <c>mcpServers</c> (alias <c>servers</c>, VS Code; not both), <c>virtualServers</c>
/// and <c>$schema</c> (ignored). The <c>mcpServers</c> documents of Claude Desktop, Cursor, Cline and VS Code
/// (<c>type</c>, JSONC comments) load as they are.</para>
/// <para>Aggregation: <c>gateway.toolNameSeparator</c> (default <c>__</c>; 1 to 8 of <c>[A-Za-z0-9_.-]</c>; no server
/// name may contain it or end with a proper prefix of it) and <c>gateway.pageSize</c> (1 to 1000, default 100). Each
/// server may have <c>tools</c>, <c>prompts</c> and <c>resources</c> filters (<c>{ allow: [globs], deny: [globs] }</c>
/// over its own names, or URIs) and <c>sessionMode: perClient|shared</c> (older key <c>sessions</c>, values also
/// <c>per-client</c>). Each <c>virtualServers</c> entry (a view) has <c>description</c>, <c>servers</c> (names from
/// <c>mcpServers</c>; empty means every enabled server), filters over exposed names, <c>naming: prefix|none</c>,
/// <c>onUpstreamFailure: serveLastKnown|omit|fail</c>, <c>resourceConflicts: firstServer|error</c>, <c>pageSize</c>
/// and <c>overrides</c> keyed by exposed name (<c>name</c>, <c>title</c>, <c>description</c>, <c>annotations</c>,
/// <c>hidden</c>). Names a view can never expose (a glob or override key without a member's prefix) are warnings.</para>
/// <para><c>${VAR}</c> and <c>${env:VAR}</c> in any value expand from the environment; <c>$${</c> is a literal
/// <c>${</c>; a missing variable or a VS Code <c>${input:...}</c> is an error.</para>
/// <para>A server's <c>headers</c> and <c>additionalHeaders</c> are merged; a header name given twice (compared
/// ignoring case, as HTTP does) is an error. <c>transport</c> and <c>type</c> both take stdio, http (detect Streamable
/// HTTP or SSE), streamable-http, streamableHttp or sse. <c>disabled</c> (Cline) is the inverse of <c>enabled</c>.</para>
/// <para><c>observability</c>: <c>serviceName</c> (else <c>OTEL_SERVICE_NAME</c>, else mcp-gateway), <c>traceSampleRatio</c>
/// (0 to 1, for traces a client did not start) and <c>otlp</c> (<c>endpoint</c>, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>;
/// <c>protocol: http/protobuf|grpc</c>, else <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>; <c>headers</c>, <c>traces</c>,
/// <c>metrics</c>, <c>exportIntervalSeconds</c>). No endpoint from either means no export.</para>
/// <para>Unknown keys and keys that do not apply to the server's kind are warnings; every other problem is an error,
/// all of them are collected, and any error leaves <see cref="ConfigLoadResult.Config"/> null.</para>
/// </remarks>
public static class GatewayConfigLoader
{
    /// <summary>Reads and validates the file at <paramref name="path"/>; a missing or unreadable file is an error.</summary>
    /// <param name="path">The config file; also becomes <see cref="GatewayConfig.Source"/>.</param>
    /// <param name="getEnvironmentVariable">Looks up <c>${VAR}</c> references; defaults to the process environment.</param>
    public static ConfigLoadResult LoadFile(string path, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Failure($"config file {Describe(path)} does not exist; create it or pass the path of an existing file");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failure($"cannot read config file {Describe(path)}: {ex.Message} Check the path and that the gateway may read it.");
        }

        return LoadText(text, path, getEnvironmentVariable);
    }

    /// <summary>Parses and validates config text.</summary>
    /// <param name="text">YAML or JSON.</param>
    /// <param name="sourceName">Names the text in <see cref="GatewayConfig.Source"/> (a path, "admin API", ...).</param>
    /// <param name="getEnvironmentVariable">Looks up <c>${VAR}</c> references; defaults to the process environment.</param>
    public static ConfigLoadResult LoadText(string text, string sourceName, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var errors = new List<ConfigDiagnostic>();
        var warnings = new List<ConfigDiagnostic>();
        GatewayConfig? config = null;
        if (ConfigDocumentParser.TryParse(text, errors, out var root))
        {
            config = new ConfigReader(getEnvironmentVariable ?? Environment.GetEnvironmentVariable, errors, warnings).Read(root, sourceName);
        }

        return new ConfigLoadResult(errors.Count == 0 ? config : null, InFileOrder(errors), InFileOrder(warnings));
    }

    // Sections are read in dependency order, not file order; users fix files top to bottom. OrderBy is stable.
    private static List<ConfigDiagnostic> InFileOrder(List<ConfigDiagnostic> diagnostics) =>
        [.. diagnostics.OrderBy(d => d.Line ?? 0)];

    private static ConfigLoadResult Failure(string message) =>
        new(null, [new ConfigDiagnostic(string.Empty, null, message)], []);

    private static string Describe(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            return full == path ? $"`{path}`" : $"`{path}` ({full})";
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"`{path}`";
        }
    }
}
