namespace McpGateway.Configuration;

/// <summary>
/// A server or view registered at run time (admin API, <c>/deploy</c>, the management MCP server) rather than in the
/// config file: its name and its definition, the JSON object an <c>mcpServers</c> or <c>virtualServers</c> entry holds,
/// as the caller wrote it (<c>${VAR}</c> references unexpanded).
/// </summary>
public sealed record RegistryEntry(string Name, string Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Every stored entry, servers and views, each list ordered by creation time (then name).</summary>
public sealed record RegistryContents(IReadOnlyList<RegistryEntry> Servers, IReadOnlyList<RegistryEntry> VirtualServers)
{
    public static readonly RegistryContents Empty = new([], []);
}

/// <summary>One atomic change to the store: all of it is saved, or none.</summary>
public sealed record RegistryChanges(
    IReadOnlyList<RegistryEntry> UpsertServers,
    IReadOnlyList<string> RemoveServers,
    IReadOnlyList<RegistryEntry> UpsertVirtualServers,
    IReadOnlyList<string> RemoveVirtualServers)
{
    public bool IsEmpty => UpsertServers.Count == 0 && RemoveServers.Count == 0 && UpsertVirtualServers.Count == 0 && RemoveVirtualServers.Count == 0;
}
