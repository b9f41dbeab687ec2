namespace McpGateway.Configuration;

/// <summary>The current configuration snapshot. Readers take <see cref="Current"/> once per operation; a reload swaps it whole.</summary>
public interface IGatewayConfigProvider
{
    GatewayConfig Current { get; }

    /// <summary>Raised after a new snapshot has been swapped in.</summary>
    event Action<GatewayConfig>? Changed;
}

/// <summary>Holds the snapshot; <see cref="Update"/> is the seam hot reload will use.</summary>
public sealed class GatewayConfigProvider(GatewayConfig initial) : IGatewayConfigProvider
{
    private readonly Lock _updating = new();
    private GatewayConfig _current = initial;

    public GatewayConfig Current => Volatile.Read(ref _current);

    public event Action<GatewayConfig>? Changed;

    /// <summary>Swaps in <paramref name="next"/>; updates (file watcher, admin API) are applied one at a time, in order.</summary>
    public void Update(GatewayConfig next)
    {
        lock (_updating)
        {
            Volatile.Write(ref _current, next);
            Changed?.Invoke(next);
        }
    }
}
