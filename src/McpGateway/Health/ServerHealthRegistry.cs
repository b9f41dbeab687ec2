namespace McpGateway.Health;

/// <summary>Runs a check of one server on demand; implemented by <see cref="ServerHealthChecker"/>.</summary>
internal interface IServerHealthProbe
{
    /// <summary>Checks now (after any check already running) and returns the new snapshot; null when the server is not checked.</summary>
    Task<ServerHealth?> CheckNowAsync(string server, CancellationToken cancellationToken);
}

/// <summary>
/// The current health of every checked server: read by <c>/readyz</c> and the admin API, written by the checker's
/// monitors. Each entry belongs to one monitor, so a monitor that was replaced (config change) cannot overwrite or
/// remove its successor's entry.
/// </summary>
internal sealed class ServerHealthRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (object Owner, ServerHealth Health)> _entries = new(StringComparer.Ordinal);
    private IServerHealthProbe? _probe;

    /// <summary>Every checked server's snapshot, ordered by name.</summary>
    public IReadOnlyList<ServerHealth> All()
    {
        lock (_lock)
        {
            return [.. _entries.Values.Select(entry => entry.Health).OrderBy(health => health.Server, StringComparer.Ordinal)];
        }
    }

    /// <summary>The server's snapshot; null when it is not checked (unknown name, disabled, or <c>health: false</c>).</summary>
    public ServerHealth? Find(string server)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(server, out var entry) ? entry.Health : null;
        }
    }

    /// <summary>A manual check (the admin API's "check now"); null when the server is not checked.</summary>
    public Task<ServerHealth?> CheckNowAsync(string server, CancellationToken cancellationToken = default) =>
        _probe?.CheckNowAsync(server, cancellationToken) ?? Task.FromResult<ServerHealth?>(null);

    /// <summary>
    /// One word for the upstreams checked so far: <c>unknown</c> while none has been, <c>healthy</c> when all of them are,
    /// <c>unhealthy</c> when all of them are, else <c>degraded</c> (the gateway still serves the healthy ones).
    /// </summary>
    public static string Summarize(IReadOnlyCollection<ServerHealth> servers)
    {
        var checkedOnes = servers.Where(health => health.Status != HealthStatus.Unknown).ToList();
        if (checkedOnes.Count == 0)
        {
            return servers.Count == 0 ? ServerHealth.Name(HealthStatus.Healthy) : ServerHealth.Name(HealthStatus.Unknown);
        }

        if (checkedOnes.All(health => health.Status == HealthStatus.Healthy))
        {
            return ServerHealth.Name(HealthStatus.Healthy);
        }

        return checkedOnes.All(health => health.Status == HealthStatus.Unhealthy)
            ? ServerHealth.Name(HealthStatus.Unhealthy)
            : ServerHealth.Name(HealthStatus.Degraded);
    }

    internal void Attach(IServerHealthProbe probe) => _probe = probe;

    /// <summary>Adds or replaces the entry when <paramref name="owner"/> owns it (or it is new and <paramref name="claim"/> is set).</summary>
    internal void Record(object owner, ServerHealth health, bool claim = false)
    {
        lock (_lock)
        {
            if (claim || (_entries.TryGetValue(health.Server, out var entry) && ReferenceEquals(entry.Owner, owner)))
            {
                _entries[health.Server] = (owner, health);
            }
        }
    }

    internal void Remove(object owner, string server)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(server, out var entry) && ReferenceEquals(entry.Owner, owner))
            {
                _entries.Remove(server);
            }
        }
    }
}
