namespace McpGateway.Configuration;

/// <summary>
/// How the gateway protects one upstream and its callers: per-tool timeouts, a hard cap for calls that report
/// progress, a concurrency limit with a bounded queue (bulkhead), retries of safe calls, and a circuit breaker.
/// A record, so equal settings keep the server's runtime state (breaker, queue) across reloads.
/// </summary>
public sealed record ServerTrafficOptions
{
    public static readonly ServerTrafficOptions Default = new();

    /// <summary>
    /// The longest a call may run while the upstream keeps reporting progress: each progress notification restarts the
    /// timeout, up to this much in total. Null: progress does not extend the timeout.
    /// </summary>
    public TimeSpan? MaxRequestTimeout { get; init; }

    /// <summary>Timeouts for tools matched by glob on the server's own tool name; the first match wins.</summary>
    public IReadOnlyList<ToolTimeout> ToolTimeouts { get; init; } = [];

    /// <summary>At most this many requests in flight to the server across all clients; null: no limit.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Requests waiting for a slot beyond <see cref="MaxConcurrency"/>; one more is refused at once.</summary>
    public int MaxQueue { get; init; }

    public RetryOptions Retries { get; init; } = RetryOptions.Default;

    /// <summary>Null: no circuit breaker.</summary>
    public CircuitBreakerOptions? CircuitBreaker { get; init; } = CircuitBreakerOptions.Default;

    /// <summary>Every endpoint of a remote server written as <c>urls</c> (the first is also <see cref="ServerConfig.Url"/>); empty with a single <c>url</c>.</summary>
    public IReadOnlyList<UpstreamEndpoint> Endpoints { get; init; } = [];

    public BalanceStrategy Strategy { get; init; } = BalanceStrategy.Failover;

    public TimeSpan? TimeoutFor(string tool)
    {
        foreach (var entry in ToolTimeouts)
        {
            if (Glob.IsMatch(entry.Tool, tool))
            {
                return entry.Timeout;
            }
        }

        return null;
    }

    // Compared on every forwarded request (is the server's runtime state still current?): the same snapshot is the same object.
    public bool Equals(ServerTrafficOptions? other) => ReferenceEquals(this, other) || other is not null
        && MaxRequestTimeout == other.MaxRequestTimeout && ToolTimeouts.SequenceEqual(other.ToolTimeouts)
        && MaxConcurrency == other.MaxConcurrency && MaxQueue == other.MaxQueue && Retries == other.Retries && CircuitBreaker == other.CircuitBreaker
        && Endpoints.SequenceEqual(other.Endpoints) && Strategy == other.Strategy;

    public override int GetHashCode() => HashCode.Combine(MaxRequestTimeout, ToolTimeouts.Count, MaxConcurrency, MaxQueue, Retries, CircuitBreaker);
}

/// <param name="Tool">A glob on the server's own tool name.</param>
public sealed record ToolTimeout(string Tool, TimeSpan Timeout);

/// <summary>
/// Retries of calls that are safe to repeat (lists, reads, ping, and tools the upstream annotates
/// <c>readOnlyHint</c> or <c>idempotentHint</c>) when the upstream was unreachable or went away. Timeouts are not retried.
/// </summary>
public sealed record RetryOptions(int Attempts, TimeSpan Backoff)
{
    public static readonly RetryOptions Default = new(2, TimeSpan.FromMilliseconds(100));

    public static readonly RetryOptions Off = new(0, TimeSpan.Zero);
}

/// <summary>
/// Opens when at least <see cref="FailureRatio"/> of at least <see cref="MinimumThroughput"/> calls within
/// <see cref="SamplingDuration"/> failed (unreachable or timed out); refuses calls for <see cref="BreakDuration"/>, then
/// lets one probe through (half-open).
/// </summary>
public sealed record CircuitBreakerOptions(double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration)
{
    public static readonly CircuitBreakerOptions Default = new(0.5, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15));
}

/// <summary>How a server with several <c>urls</c> spreads new upstream sessions over them.</summary>
public enum BalanceStrategy
{
    /// <summary>The first healthy endpoint in the order written; the others only when it fails.</summary>
    Failover,

    RoundRobin,

    /// <summary>Round-robin in proportion to each endpoint's <c>weight</c>.</summary>
    Weighted,

    /// <summary>The healthy endpoint with the fewest requests in flight.</summary>
    LeastRequests,
}

/// <summary>One of a server's <c>urls</c>: an endpoint of the same MCP server.</summary>
public sealed record UpstreamEndpoint(Uri Url, int Weight = 1);

/// <summary>
/// What the gateway may answer from memory for one server (<c>cache:</c>). Off unless set: lists for <see cref="ListTtl"/>
/// (until a <c>list_changed</c>), <c>resources/read</c> of URIs matching <see cref="ResourceUris"/>, and calls of tools
/// matching <see cref="ToolNames"/> that the upstream annotates <c>readOnlyHint</c>. Errors are never cached.
/// </summary>
public sealed record ServerCacheOptions
{
    public static readonly ServerCacheOptions Off = new();

    public TimeSpan? ListTtl { get; init; }

    public IReadOnlyList<string> ResourceUris { get; init; } = [];

    public TimeSpan ResourceTtl { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> ToolNames { get; init; } = [];

    public TimeSpan ToolTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reads and tool results are kept per principal (default): results may differ per user.</summary>
    public bool PerPrincipal { get; init; } = true;

    public bool Equals(ServerCacheOptions? other) => ReferenceEquals(this, other) || other is not null && ListTtl == other.ListTtl
        && ResourceUris.SequenceEqual(other.ResourceUris) && ResourceTtl == other.ResourceTtl
        && ToolNames.SequenceEqual(other.ToolNames) && ToolTtl == other.ToolTtl && PerPrincipal == other.PerPrincipal;

    public override int GetHashCode() => HashCode.Combine(ListTtl, ResourceUris.Count, ToolNames.Count, PerPrincipal);
}
