using McpGateway.Configuration;

namespace McpGateway.Storage;

/// <summary>
/// A registry store that keeps entries in memory only (lost at exit): the fallback when no persistent store is
/// registered, e.g. for code that hosts the gateway without the storage wiring.
/// </summary>
internal sealed class MemoryRegistryStore : IRegistryStore
{
    private readonly Lock _lock = new();
    private RegistryContents _contents = RegistryContents.Empty;
    private long _revision;

    public string Description => "memory (not persisted)";

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<RegistryContents> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_contents);
        }
    }

    public Task SaveAsync(RegistryChanges changes, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _contents = new RegistryContents(
                Apply(_contents.Servers, changes.UpsertServers, changes.RemoveServers),
                Apply(_contents.VirtualServers, changes.UpsertVirtualServers, changes.RemoveVirtualServers));
            _revision++;
        }

        return Task.CompletedTask;
    }

    public Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_revision);
        }
    }

    private static List<RegistryEntry> Apply(IReadOnlyList<RegistryEntry> entries, IReadOnlyList<RegistryEntry> upserts, IReadOnlyList<string> removals)
    {
        var list = entries.Where(entry => !removals.Contains(entry.Name, StringComparer.Ordinal)).ToList();
        foreach (var upsert in upserts)
        {
            var index = list.FindIndex(entry => entry.Name == upsert.Name);
            if (index < 0)
            {
                list.Add(upsert);
            }
            else
            {
                list[index] = upsert;
            }
        }

        return list;
    }
}
