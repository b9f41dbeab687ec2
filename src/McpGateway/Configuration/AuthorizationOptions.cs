namespace McpGateway.Configuration;

/// <summary>
/// The <c>authorization:</c> section: which principal may use which server, virtual server, tool, prompt and resource.
/// Absent: every principal that passed authentication may use everything. Present: only what a policy grants.
/// </summary>
public sealed record AuthorizationOptions
{
    public static readonly AuthorizationOptions Off = new();

    /// <summary>True when the section is present and not switched off with <c>enabled: false</c>.</summary>
    public bool Enabled { get; init; }

    public IReadOnlyList<AccessPolicy> Policies { get; init; } = [];
}

/// <summary>
/// One policy: who it applies to (<see cref="Match"/>), which endpoints it grants, and within them which items.
/// Items are named canonically — <c>{upstream server}{separator}{upstream name}</c> for tools and prompts, the upstream
/// URI for resources — never by the name a view exposes, so renaming or prefixing cannot dodge a rule.
/// </summary>
public sealed record AccessPolicy
{
    /// <summary>For logs; <c>policies[N]</c> when not written.</summary>
    public required string Name { get; init; }

    public PrincipalMatch Match { get; init; } = PrincipalMatch.Everyone;

    /// <summary>Globs over server names: <c>/servers/{name}/mcp</c> and that server's items in the <c>/mcp</c> aggregate.</summary>
    public NameGrant Servers { get; init; } = NameGrant.None;

    /// <summary>Globs over virtual server names (<c>/virtual/{name}/mcp</c>).</summary>
    public NameGrant VirtualServers { get; init; } = NameGrant.None;

    public ItemFilter Tools { get; init; } = ItemFilter.All;

    public ItemFilter Prompts { get; init; } = ItemFilter.All;

    public ItemFilter Resources { get; init; } = ItemFilter.All;
}

/// <summary>Which principals a policy applies to: every non-empty list must match (values within a list are alternatives).</summary>
/// <param name="Roles">Role names, exact.</param>
/// <param name="Tenants">Tenant names, exact.</param>
/// <param name="Principals">Globs over principal ids (<c>apikey:7f3a…</c>, <c>jwt:{issuer}#{sub}</c>, <c>cert:…</c>).</param>
public sealed record PrincipalMatch(IReadOnlyList<string> Roles, IReadOnlyList<string> Tenants, NameGrant Principals)
{
    public static readonly PrincipalMatch Everyone = new([], [], NameGrant.Any);
}

/// <summary>A list of globs that grants the names it matches; an empty list grants nothing (unlike an allow filter).</summary>
public sealed record NameGrant(IReadOnlyList<string> Patterns)
{
    private readonly ItemFilter? _globs = Patterns.Count == 0 ? null : new ItemFilter(Patterns, []);

    public static readonly NameGrant None = new([]);

    public static readonly NameGrant Any = new(["*"]);

    public bool Grants(string name) => _globs is not null && _globs.Allows(name);

    public bool Equals(NameGrant? other) => other is not null && Patterns.SequenceEqual(other.Patterns, StringComparer.Ordinal);

    public override int GetHashCode() => Patterns.Count;
}
