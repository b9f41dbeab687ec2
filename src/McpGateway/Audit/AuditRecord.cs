namespace McpGateway.Audit;

/// <summary>What an audit record is about.</summary>
public static class AuditKinds
{
    public const string ToolCall = "tools/call";
    public const string PromptGet = "prompts/get";
    public const string ResourceRead = "resources/read";

    /// <summary>A change through the admin API, <c>/deploy</c> or a mutating <c>/admin/mcp</c> tool.</summary>
    public const string Admin = "admin";
}

/// <summary>How a recorded request ended.</summary>
public static class AuditOutcomes
{
    public const string Ok = "ok";

    /// <summary>A JSON-RPC error, a tool result with <c>isError</c>, or an admin answer of 400 or more (other than 401/403).</summary>
    public const string Error = "error";

    /// <summary>Refused by authorization, a blocked or withheld tool, or the admin roles (401/403).</summary>
    public const string Denied = "denied";

    public const string Cancelled = "cancelled";
}

/// <summary>
/// One audit record, as stored and as the admin API answers it. Never carries argument values unless the operator chose
/// <c>audit.arguments: redact</c>; by default <see cref="Arguments"/> is <c>sha256:…</c> of the arguments as sent.
/// </summary>
/// <param name="View">The virtual server (<c>default</c> for <c>/mcp</c>); null for <c>/servers/{name}</c> and admin records.</param>
/// <param name="Server">The upstream that handled it, when one did.</param>
/// <param name="Item">The tool or prompt as the client named it, the resource URI, or for admin records <c>METHOD /path</c> or the admin MCP tool.</param>
/// <param name="Code">The JSON-RPC error code, or the HTTP status of an admin request.</param>
public sealed record AuditRecord(
    string Id,
    DateTimeOffset Time,
    string Kind,
    string PrincipalId,
    string PrincipalName,
    string? Tenant,
    string? View,
    string? Server,
    string? Item,
    string Outcome,
    int? Code,
    double DurationMs,
    string? TraceId,
    string? Arguments);

/// <summary>One page of <c>GET /api/v1/audit</c>, newest first; <see cref="NextCursor"/> continues after its last item.</summary>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, string? NextCursor);

/// <summary>Filters of an audit query; null matches anything. <see cref="ItemPrefix"/> matches the start of the item.</summary>
public sealed record AuditQuery(
    string? PrincipalId = null,
    string? Tenant = null,
    string? Kind = null,
    string? View = null,
    string? Server = null,
    string? ItemPrefix = null,
    string? Outcome = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 100,
    AuditCursor? After = null);

/// <summary>Where the previous page ended: records strictly older (time, then id) come next.</summary>
public sealed record AuditCursor(long TimeMs, string Id)
{
    public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{TimeMs}:{Id}"));

    public static AuditCursor? Decode(string text)
    {
        try
        {
            var raw = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text));
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && long.TryParse(raw.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var time) && colon < raw.Length - 1
                ? new AuditCursor(time, raw[(colon + 1)..])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
