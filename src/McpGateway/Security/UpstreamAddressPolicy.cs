using System.Net;
using System.Net.Sockets;
using McpGateway.Configuration;

namespace McpGateway.Security;

/// <summary>
/// Decides whether a registered upstream may be reached at an address (SSRF protection). Checked at registration on
/// the URL's literal address or resolved addresses, and again at connect time on the address actually connected to,
/// which defeats DNS rebinding.
/// </summary>
internal static class UpstreamAddressPolicy
{
    public const string AllowHint = "set `security.upstreams.allowPrivate: true` or add the address, its range or the host name to `security.upstreams.allow` in the config file";

    private static readonly (IPNetwork Network, string Rule)[] Refused =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (169.254.0.0/16, cloud metadata)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (RFC 1918)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (RFC 1918)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("255.255.255.255/32"), "broadcast"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fc00::/7"), "private (unique local fc00::/7)"),
        (IPNetwork.Parse("fe80::/10"), "link-local (fe80::/10)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    /// <summary>Why <paramref name="address"/> is refused for a registered upstream named by <paramref name="host"/>, or null when it is allowed.</summary>
    public static string? Refusal(UpstreamAddressOptions options, string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var rule = RuleFor(address);
        if (rule is null || options.AllowPrivate)
        {
            return null;
        }

        if (options.AllowedNetworks.Any(network => network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address)))
        {
            return null;
        }

        var name = host.Trim('[', ']').TrimEnd('.');
        if (options.AllowedHosts.Any(allowed => string.Equals(allowed, name, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return $"{address} is a {rule} address, which registered servers may not reach";
    }

    /// <summary>The rule that classifies <paramref name="address"/> as internal, or null for a public address.</summary>
    public static string? RuleFor(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var (network, rule) in Refused)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>
    /// The registration-time check of <paramref name="url"/>: a literal address is checked directly; a host name is
    /// resolved and every address checked. A name that does not resolve is accepted (the connect-time check still applies).
    /// </summary>
    public static async Task<string?> CheckUrlAsync(UpstreamAddressOptions options, Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var host = url.IdnHost;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return Refusal(options, host, literal);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return null;
        }

        foreach (var address in addresses)
        {
            if (Refusal(options, host, address) is { } refusal)
            {
                return $"`{host}` resolves to {refusal}";
            }
        }

        return null;
    }
}
