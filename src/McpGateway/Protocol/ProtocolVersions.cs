namespace McpGateway.Protocol;

/// <summary>The MCP revisions the gateway speaks on both sides.</summary>
internal static class ProtocolVersions
{
    public const string V2024_11_05 = "2024-11-05";
    public const string V2025_03_26 = "2025-03-26";
    public const string V2025_06_18 = "2025-06-18";
    public const string V2025_11_25 = "2025-11-25";

    /// <summary>The stateless revision (SEP-2575): no initialize, no session; per-request <c>_meta</c>.</summary>
    public const string V2026_07_28 = "2026-07-28";

    /// <summary>Revisions negotiated with <c>initialize</c>, oldest first.</summary>
    public static readonly string[] Stateful = [V2024_11_05, V2025_03_26, V2025_06_18, V2025_11_25];

    /// <summary>Every revision, oldest first.</summary>
    public static readonly string[] All = [V2024_11_05, V2025_03_26, V2025_06_18, V2025_11_25, V2026_07_28];

    public const string LatestStateful = V2025_11_25;

    public static bool IsStateful(string? version) => version is not null && Array.IndexOf(Stateful, version) >= 0;

    public static bool IsModern(string? version) => version == V2026_07_28;

    /// <summary>The version the gateway answers an <c>initialize</c> with: the client's if spoken, else the newest stateful one.</summary>
    public static string NegotiateStateful(string? requested) => IsStateful(requested) ? requested! : LatestStateful;
}

/// <summary>Names from the MCP schema that the gateway itself acts on.</summary>
internal static class McpMethods
{
    public const string Initialize = "initialize";
    public const string Initialized = "notifications/initialized";
    public const string Ping = "ping";
    public const string Cancelled = "notifications/cancelled";
    public const string Progress = "notifications/progress";
    public const string ServerDiscover = "server/discover";
    public const string SamplingCreateMessage = "sampling/createMessage";
    public const string ElicitationCreate = "elicitation/create";
    public const string RootsList = "roots/list";
    public const string ToolsList = "tools/list";
    public const string ToolsCall = "tools/call";
    public const string PromptsList = "prompts/list";
    public const string PromptsGet = "prompts/get";
    public const string ResourcesList = "resources/list";
    public const string ResourceTemplatesList = "resources/templates/list";
    public const string ResourcesRead = "resources/read";
    public const string CompletionComplete = "completion/complete";

    /// <summary>Reserved <c>_meta</c> keys of the 2026-07-28 revision.</summary>
    public const string MetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
    public const string MetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
    public const string MetaClientInfo = "io.modelcontextprotocol/clientInfo";
}

/// <summary>HTTP header names of the Streamable HTTP transport.</summary>
internal static class McpHeaders
{
    public const string SessionId = "Mcp-Session-Id";
    public const string ProtocolVersion = "MCP-Protocol-Version";
    public const string LastEventId = "Last-Event-ID";

    /// <summary>2026-07-28: the request's method, so intermediaries can route without reading the body.</summary>
    public const string Method = "Mcp-Method";

    /// <summary>2026-07-28: the tool or prompt name, or the resource URI, the request is about.</summary>
    public const string Name = "Mcp-Name";
}
