using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpGateway.Admin;

/// <summary>An RFC 7807 problem as the admin API answers it; <see cref="Errors"/> name the offending fields.</summary>
public sealed record AdminProblem(string Type, string Title, int Status, string Detail, IReadOnlyList<FieldError>? Errors);

public sealed record ServerList(IReadOnlyList<ServerInfo> Servers);

public sealed record VirtualServerList(IReadOnlyList<VirtualServerInfo> VirtualServers);

/// <summary>One server's tools in <c>GET /api/v1/tools</c>: the tools, or the error that kept them from being listed.</summary>
public sealed record ServerToolsEntry(string Server, JsonArray? Tools, IReadOnlyList<string>? Exposed, DateTimeOffset? FetchedAt, string? Error);

public sealed record ToolsOverview(IReadOnlyList<ServerToolsEntry> Servers);

/// <summary>One checked server's health in <c>GET /api/v1/health</c>.</summary>
public sealed record ServerHealthEntry(string Name, string Status, double? LatencyMs, DateTimeOffset? LastCheck, int ConsecutiveFailures, string? LastError);

/// <param name="Upstreams">One word for all checked servers: unknown, healthy, degraded or unhealthy.</param>
/// <param name="Circuits">Every server whose circuit breaker has seen a call: closed, halfOpen or open.</param>
public sealed record HealthOverview(string Upstreams, IReadOnlyList<ServerHealthEntry> Servers, IReadOnlyDictionary<string, string>? Circuits = null);

public sealed record SetAsideInfo(string Kind, string Name, IReadOnlyList<FieldError> Errors);

/// <summary>The config's reload status and the registry store, for <c>GET /api/v1/config</c>.</summary>
public sealed record ConfigStatusInfo(
    int Version,
    string? ContentHash,
    DateTimeOffset? LastAttempt,
    DateTimeOffset? LastSuccess,
    IReadOnlyList<FieldError> Errors,
    string Store,
    IReadOnlyList<SetAsideInfo> SetAside);

/// <summary>The one source-generated serializer context of the admin API: camelCase, nulls omitted.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminProblem))]
[JsonSerializable(typeof(ServerInfo))]
[JsonSerializable(typeof(ServerList))]
[JsonSerializable(typeof(VirtualServerInfo))]
[JsonSerializable(typeof(VirtualServerList))]
[JsonSerializable(typeof(ServerTools))]
[JsonSerializable(typeof(ToolsOverview))]
[JsonSerializable(typeof(ServerHealthInfo))]
[JsonSerializable(typeof(HealthOverview))]
[JsonSerializable(typeof(DeployResult))]
[JsonSerializable(typeof(ConfigStatusInfo))]
[JsonSerializable(typeof(ToolPinList))]
[JsonSerializable(typeof(ToolPinInfo))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(ApiKeyList))]
[JsonSerializable(typeof(McpGateway.Audit.AuditPage))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(CredentialList))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
