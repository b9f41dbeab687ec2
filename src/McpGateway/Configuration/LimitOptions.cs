namespace McpGateway.Configuration;

/// <summary>What a limit counts separately: each distinct combination of these parts has its own bucket or quota.</summary>
public enum LimitKeyPart
{
    Principal,
    Tenant,
    Server,
    Tool,
}

/// <summary>A refill rate: <see cref="Tokens"/> per <see cref="Period"/> (<c>10/s</c>, <c>600/min</c>, <c>5000/h</c>).</summary>
public sealed record LimitRate(double Tokens, TimeSpan Period)
{
    public double PerSecond => Tokens / Period.TotalSeconds;

    public override string ToString() => $"{Tokens:0.###}/{(Period == TimeSpan.FromSeconds(1) ? "s" : Period == TimeSpan.FromMinutes(1) ? "min" : Period == TimeSpan.FromHours(1) ? "h" : "d")}";
}

/// <summary>
/// One entry of <c>limits:</c>. A request counts against it when every selector matches (principal, view, server,
/// tool, method); it then needs a token from the bucket (<see cref="Rate"/>, <see cref="Burst"/>) and a unit of each
/// quota (<see cref="Daily"/>, <see cref="Monthly"/>) of its key (<see cref="Per"/>). A request passes only when
/// every limit it counts against allows it.
/// </summary>
public sealed record LimitRule
{
    public required string Name { get; init; }

    /// <summary>What is counted separately; empty: one bucket for everything the rule matches.</summary>
    public IReadOnlyList<LimitKeyPart> Per { get; init; } = [];

    public LimitRate? Rate { get; init; }

    /// <summary>Bucket size: how many requests may come at once after a quiet spell; defaults to one period's tokens.</summary>
    public double Burst { get; init; }

    /// <summary>Requests per UTC calendar day.</summary>
    public long? Daily { get; init; }

    /// <summary>Requests per UTC calendar month.</summary>
    public long? Monthly { get; init; }

    public PrincipalMatch Match { get; init; } = PrincipalMatch.Everyone;

    /// <summary>Virtual servers whose requests count (<c>default</c> is <c>/mcp</c>); null: any endpoint.</summary>
    public NameGrant? Views { get; init; }

    /// <summary>Servers whose requests count (passthrough, and view calls routed to them); null: any.</summary>
    public NameGrant? Servers { get; init; }

    /// <summary>Tools (canonical <c>server__tool</c>) whose calls count; null: any request, not only tool calls.</summary>
    public NameGrant? Tools { get; init; }

    /// <summary>JSON-RPC methods that count; null: every request but <c>initialize</c>, <c>ping</c> and discovery.</summary>
    public IReadOnlyList<string>? Methods { get; init; }
}

/// <summary>The top-level <c>limits:</c> list; empty when absent.</summary>
public sealed record LimitOptions
{
    public static readonly LimitOptions None = new();

    public IReadOnlyList<LimitRule> Rules { get; init; } = [];
}
