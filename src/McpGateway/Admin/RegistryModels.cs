using System.Text.Json.Nodes;
using McpGateway.Configuration;

namespace McpGateway.Admin;

/// <summary>Which servers a listing returns.</summary>
public enum ServerStatusFilter
{
    All,
    Enabled,
    Disabled,

    /// <summary>Enabled servers whose last health checks failed <c>unhealthyAfter</c> times in a row.</summary>
    Unhealthy,
}

/// <param name="Text">Case-insensitive substring of the name, description, command or URL.</param>
public sealed record ServerQuery(ServerStatusFilter Status = ServerStatusFilter.All, string? Tag = null, string? Text = null);

/// <summary>A server as the admin API and the management MCP server show it.</summary>
/// <param name="Origin"><c>file</c> (read-only here; edit the config file) or <c>registry</c>.</param>
/// <param name="State"><c>active</c>, or <c>set-aside</c>: stored, but invalid against the current config file (see <paramref name="Errors"/>).</param>
/// <param name="Definition">The entry as written, with header and environment values that are not <c>${VAR}</c> references masked.</param>
/// <param name="Circuit">The circuit breaker: closed, halfOpen or open; null before the first call or with <c>circuitBreaker: false</c>.</param>
public sealed record ServerInfo(
    string Name,
    string Origin,
    string State,
    bool Enabled,
    string? Transport,
    string? Description,
    IReadOnlyList<string> Tags,
    string? Command,
    IReadOnlyList<string>? Args,
    string? Url,
    ServerHealthInfo? Health,
    JsonObject? Definition,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<FieldError>? Errors,
    string? Circuit = null);

/// <summary>The last health checks of one server; <see cref="Status"/> is unknown, healthy, degraded or unhealthy.</summary>
public sealed record ServerHealthInfo(string Status, double? LatencyMs, DateTimeOffset? LastCheck, int ConsecutiveFailures, string? LastError);

/// <summary>A view as the admin API shows it; <see cref="Members"/> are the servers it aggregates now.</summary>
public sealed record VirtualServerInfo(
    string Name,
    string Origin,
    string State,
    string? Description,
    IReadOnlyList<string> Servers,
    IReadOnlyList<string> Members,
    string Endpoint,
    JsonObject? Definition,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<FieldError>? Errors);

/// <summary>One problem with one field: <see cref="Field"/> is the config path (<c>mcpServers.github.url</c>).</summary>
public sealed record FieldError(string Field, string Message)
{
    public static FieldError From(ConfigDiagnostic diagnostic) => new(diagnostic.Key, diagnostic.Message);
}

/// <summary>What a <c>/deploy</c> did, by name.</summary>
public sealed record DeployResult(
    IReadOnlyList<string> Created,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Unchanged,
    IReadOnlyList<string> CreatedVirtualServers,
    IReadOnlyList<string> UpdatedVirtualServers,
    IReadOnlyList<string> UnchangedVirtualServers,
    IReadOnlyList<string> IgnoredSections);

/// <summary>An operation's answer: a value, or the problem that stopped it (nothing was changed then).</summary>
public sealed record RegistryResult<T>(T? Value, RegistryProblem? Problem)
{
    public bool Succeeded => Problem is null;
}

public static class RegistryResult
{
    public static RegistryResult<T> Ok<T>(T value) => new(value, null);

    public static RegistryResult<T> Fail<T>(RegistryProblem problem) => new(default, problem);
}
