using McpGateway.Aggregation;
using McpGateway.Configuration;

namespace McpGateway.Security;

/// <summary>
/// Evaluates <c>authorization.policies</c> for one principal against the running snapshot. A principal may use a server
/// or virtual server when an applicable policy grants it, and an item in it when such a policy's filter allows the item's
/// canonical name and no applicable policy's <c>deny</c> matches it. Null access means authorization is off.
/// </summary>
internal sealed class AccessPolicies(IGatewayConfigProvider config)
{
    /// <summary>The principal's access under the running snapshot; null when authorization is off (everything allowed).</summary>
    public PrincipalAccess? For(GatewayPrincipal principal)
    {
        var current = config.Current;
        var options = current.Authorization;
        if (!options.Enabled)
        {
            return null;
        }

        var applicable = new List<AccessPolicy>(options.Policies.Count);
        foreach (var policy in options.Policies)
        {
            if (Matches(policy.Match, principal))
            {
                applicable.Add(policy);
            }
        }

        return new PrincipalAccess(principal, [.. applicable], current.Gateway.ToolNameSeparator);
    }

    private static bool Matches(PrincipalMatch match, GatewayPrincipal principal) =>
        (match.Roles.Count == 0 || match.Roles.Any(principal.IsInRole))
        && (match.Tenants.Count == 0 || (principal.Tenant is { } tenant && match.Tenants.Contains(tenant, StringComparer.Ordinal)))
        && match.Principals.Grants(principal.Id);
}

/// <summary>One principal's applicable policies: which endpoints it may use, and a <see cref="ICatalogAccess"/> per endpoint.</summary>
internal sealed class PrincipalAccess(GatewayPrincipal principal, AccessPolicy[] policies, string separator)
{
    public GatewayPrincipal Principal => principal;

    /// <summary>The names of the policies that apply (for the log).</summary>
    public string PolicyNames => policies.Length == 0 ? "none" : string.Join(", ", policies.Select(p => p.Name));

    public bool CanUseServer(string server)
    {
        foreach (var policy in policies)
        {
            if (policy.Servers.Grants(server))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A tenant's view is invisible to other tenants whatever the policies say.</summary>
    public bool CanUseView(VirtualServerConfig view)
    {
        if (view.Tenant is { } owner && !string.Equals(owner, principal.Tenant, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var policy in policies)
        {
            if (policy.VirtualServers.Grants(view.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Item access inside one passthrough server or the <c>/mcp</c> aggregate: the item's server must be granted.</summary>
    public ICatalogAccess ForServers() => new ItemAccess(this, view: null);

    /// <summary>Item access inside one virtual server: the view must be granted.</summary>
    public ICatalogAccess ForView(string view) => new ItemAccess(this, view);

    private bool Allows(string? view, CatalogKind kind, string server, string key)
    {
        Span<char> buffer = stackalloc char[256];
        scoped ReadOnlySpan<char> canonical = key;
        if (kind is CatalogKind.Tools or CatalogKind.Prompts)
        {
            var length = server.Length + separator.Length + key.Length;
            var target = length <= buffer.Length ? buffer[..length] : new char[length];
            server.AsSpan().CopyTo(target);
            separator.AsSpan().CopyTo(target[server.Length..]);
            key.AsSpan().CopyTo(target[(server.Length + separator.Length)..]);
            canonical = target;
        }

        var granted = false;
        foreach (var policy in policies)
        {
            var filter = kind switch { CatalogKind.Tools => policy.Tools, CatalogKind.Prompts => policy.Prompts, _ => policy.Resources };
            if (filter.Denies(canonical))
            {
                return false;
            }

            granted = granted || ((view is null ? policy.Servers.Grants(server) : policy.VirtualServers.Grants(view)) && filter.Allows(canonical));
        }

        return granted;
    }

    private sealed class ItemAccess(PrincipalAccess access, string? view) : ICatalogAccess
    {
        public bool Allows(CatalogKind kind, string server, string key) => access.Allows(view, kind, server, key);
    }
}
