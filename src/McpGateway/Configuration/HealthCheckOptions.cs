namespace McpGateway.Configuration;

/// <summary>
/// Periodic MCP <c>ping</c> of an upstream: <c>gateway.health</c> sets the defaults, <c>mcpServers.x.health</c> overrides
/// them for one server (<c>health: false</c> turns the checks off for it).
/// </summary>
public sealed record HealthCheckOptions
{
    public static readonly HealthCheckOptions Default = new();

    public static readonly HealthCheckOptions Off = new() { Enabled = false };

    public const int MaxUnhealthyAfter = 100;

    public bool Enabled { get; init; } = true;

    /// <summary>Time from the end of one check to the start of the next.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one check (connecting if needed, then the ping) may take before it counts as a failure.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive failed checks after which a server is unhealthy; fewer make it degraded.</summary>
    public int UnhealthyAfter { get; init; } = 3;

    /// <summary>A ping answered slower than this makes the server degraded.</summary>
    public TimeSpan DegradedLatency { get; init; } = TimeSpan.FromSeconds(1);
}
