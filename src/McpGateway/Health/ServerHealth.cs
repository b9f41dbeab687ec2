namespace McpGateway.Health;

/// <summary>What the last health checks of one server concluded.</summary>
internal enum HealthStatus
{
    /// <summary>Not checked yet (just started, or its configuration changed).</summary>
    Unknown,

    /// <summary>Answered the last ping within <c>degradedLatency</c>.</summary>
    Healthy,

    /// <summary>Answered, but slower than <c>degradedLatency</c>; or failed fewer than <c>unhealthyAfter</c> checks in a row.</summary>
    Degraded,

    /// <summary>Failed <c>unhealthyAfter</c> or more checks in a row.</summary>
    Unhealthy,
}

/// <summary>One server's health at its last check: the snapshot the registry hands out (immutable).</summary>
/// <param name="LatencyMs">Round trip of the last answered ping; null when the last check got no answer.</param>
/// <param name="LastCheck">When the last check finished; null before the first one.</param>
/// <param name="LastError">The reason of the most recent failed check, kept after recovery; null when none failed yet.</param>
internal sealed record ServerHealth(
    string Server,
    HealthStatus Status,
    double? LatencyMs,
    DateTimeOffset? LastCheck,
    int ConsecutiveFailures,
    string? LastError)
{
    public static ServerHealth NotChecked(string server) => new(server, HealthStatus.Unknown, null, null, 0, null);

    /// <summary>The status as written in logs and JSON: lower case.</summary>
    public static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        HealthStatus.Unhealthy => "unhealthy",
        _ => "unknown",
    };
}
