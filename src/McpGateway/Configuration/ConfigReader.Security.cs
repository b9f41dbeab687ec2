using System.Net;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary><c>security:</c> policies that are not about who calls the gateway (upstream address policy).</summary>
internal sealed partial class ConfigReader
{
    private const string SecurityKey = "security";

    private static readonly string[] SecurityKeys = ["upstreams"];

    private static readonly string[] UpstreamPolicyKeys = ["allowPrivate", "allow"];

    private SecurityOptions ReadSecurity(YamlNode? node, string path)
    {
        var options = new SecurityOptions();
        if (node is null || IsNull(node))
        {
            return options;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ upstreams: {{ allowPrivate: false, allow: [\"10.1.2.0/24\"] }} }}`, not a {KindOf(node)}");
            return options;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (key == "upstreams")
            {
                options = options with { Upstreams = ReadUpstreamPolicy(value, Join(path, key)) };
            }
            else
            {
                UnknownKey(Join(path, key), keyNode, SecurityKeys);
            }
        }

        return options;
    }

    private UpstreamAddressOptions ReadUpstreamPolicy(YamlNode node, string path)
    {
        var options = new UpstreamAddressOptions();
        if (IsNull(node))
        {
            return options;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ allowPrivate: false, allow: [\"10.1.2.0/24\", \"mcp.internal.example\"] }}`, not a {KindOf(node)}");
            return options;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var entryPath = Join(path, key);
            switch (key)
            {
                case "allowPrivate" when !IsNull(value):
                    options = options with { AllowPrivate = ReadBoolean(value, entryPath) ?? false };
                    break;
                case "allow" when !IsNull(value):
                    var networks = new List<IPNetwork>();
                    var hosts = new List<string>();
                    foreach (var (text, itemNode, itemPath) in ReadStringList(value, entryPath, "[\"10.1.2.0/24\", \"mcp.internal.example\"]") ?? [])
                    {
                        var entry = text.Trim();
                        if (IPNetwork.TryParse(entry, out var network))
                        {
                            networks.Add(network);
                        }
                        else if (IPAddress.TryParse(entry.Trim('[', ']'), out var address))
                        {
                            networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
                        }
                        else if (entry.Contains('/', StringComparison.Ordinal) || Uri.CheckHostName(entry) != UriHostNameType.Dns)
                        {
                            Error(itemPath, itemNode, $"`{Raw(itemNode)}` is neither a CIDR range (10.1.2.0/24), an address nor a host name");
                        }
                        else
                        {
                            hosts.Add(entry.TrimEnd('.'));
                        }
                    }

                    options = options with { AllowedNetworks = networks, AllowedHosts = hosts };
                    break;
                case "allowPrivate" or "allow":
                    break;
                default:
                    UnknownKey(entryPath, keyNode, UpstreamPolicyKeys);
                    break;
            }
        }

        return options;
    }
}
