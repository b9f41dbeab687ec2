using System.Net;

namespace McpGateway.Configuration;

/// <summary>The <c>security:</c> section.</summary>
public sealed record SecurityOptions
{
    /// <summary>Which addresses registered HTTP upstreams may reach (<c>security.upstreams</c>).</summary>
    public UpstreamAddressOptions Upstreams { get; init; } = new();
}

/// <summary>
/// The SSRF policy for servers registered at run time: private, loopback, link-local, CGNAT, unspecified and multicast
/// addresses are refused unless <see cref="AllowPrivate"/> or an <see cref="AllowedNetworks"/>/<see cref="AllowedHosts"/>
/// entry lets them through. Config-file servers are trusted and not checked.
/// </summary>
public sealed record UpstreamAddressOptions
{
    public bool AllowPrivate { get; init; }

    /// <summary>CIDR ranges or single addresses from <c>allow</c>.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks { get; init; } = [];

    /// <summary>Host names from <c>allow</c> (exact, case-insensitive).</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];
}
