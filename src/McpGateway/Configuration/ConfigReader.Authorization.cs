using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>The top-level <c>authorization:</c> section (policies) and a virtual server's <c>tenant</c>.</summary>
internal sealed partial class ConfigReader
{
    private const string AuthorizationKey = "authorization";

    private const string PolicyExample = "`{ name: dev, match: { roles: [dev] }, servers: [github], tools: { deny: [\"*__delete_*\"] } }`";

    private static readonly string[] AuthorizationKeys = ["enabled", "policies"];

    private static readonly string[] PolicyKeys = ["name", "match", "servers", "virtualServers", "tools", "prompts", "resources"];

    private static readonly string[] MatchKeys = ["roles", "tenants", "principals"];

    private AuthorizationOptions ReadAuthorization(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return AuthorizationOptions.Off;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ policies: [{PolicyExample[1..^1]}] }}`, not a {KindOf(node)}");
            return AuthorizationOptions.Off;
        }

        var options = new AuthorizationOptions { Enabled = true };
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            switch (key)
            {
                case "enabled":
                    options = ReadBoolean(value, keyPath) is { } enabled ? options with { Enabled = enabled } : options;
                    break;
                case "policies" when value is YamlSequenceNode sequence:
                    List<AccessPolicy> policies = [];
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        if (ReadPolicy(sequence.Children[i], $"{keyPath}[{i}]") is { } policy)
                        {
                            policies.Add(policy);
                        }
                    }

                    options = options with { Policies = policies };
                    break;
                case "policies":
                    if (!IsNull(value))
                    {
                        Error(keyPath, value, $"must be a list of policies such as [{PolicyExample}], not a {KindOf(value)}");
                    }

                    break;
                default:
                    UnknownKey(keyPath, keyNode, AuthorizationKeys);
                    break;
            }
        }

        if (options.Enabled && options.Policies.Count == 0)
        {
            Warning(path, node, "has no policies, so nothing is granted to anyone: every list is empty and every endpoint but /mcp answers 404");
        }

        return options;
    }

    private AccessPolicy? ReadPolicy(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {PolicyExample}, not a {KindOf(node)}");
            return null;
        }

        var errorCount = errors.Count;
        var policy = new AccessPolicy { Name = path };
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            if (IsNull(value))
            {
                continue;
            }

            policy = key switch
            {
                "name" => ReadNonEmptyString(value, keyPath, "dev-tools") is { } name ? policy with { Name = name } : policy,
                "match" => ReadPrincipalMatch(value, keyPath) is { } match ? policy with { Match = match } : policy,
                "servers" => ReadGrant(value, keyPath, "[github, \"docs-*\"]") is { } servers ? policy with { Servers = servers } : policy,
                "virtualServers" => ReadGrant(value, keyPath, "[review]") is { } views ? policy with { VirtualServers = views } : policy,
                "tools" => ReadFilter(value, keyPath, FilterKind.ViewTools)?.Filter is { } tools ? policy with { Tools = tools } : policy,
                "prompts" => ReadFilter(value, keyPath, FilterKind.ViewPrompts)?.Filter is { } prompts ? policy with { Prompts = prompts } : policy,
                "resources" => ReadFilter(value, keyPath, FilterKind.Resources)?.Filter is { } resources ? policy with { Resources = resources } : policy,
                _ => UnknownKey(keyPath, keyNode, PolicyKeys, policy),
            };
        }

        if (errors.Count == errorCount && policy.Servers.Patterns.Count == 0 && policy.VirtualServers.Patterns.Count == 0)
        {
            Warning(path, map, "grants neither `servers` nor `virtualServers`, so it gives access to nothing (its `deny` globs still apply)");
        }

        return errors.Count > errorCount ? null : policy;
    }

    private PrincipalMatch? ReadPrincipalMatch(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ roles: [dev], tenants: [acme], principals: [\"apikey:*\"] }}` (`{{}}` matches everyone), not a {KindOf(node)}");
            return null;
        }

        var match = PrincipalMatch.Everyone;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            if (IsNull(value))
            {
                continue;
            }

            match = key switch
            {
                "roles" => ReadStringList(value, keyPath, "[dev, reviewers]") is { } roles ? match with { Roles = [.. roles.Select(r => r.Text)] } : match,
                "tenants" => ReadStringList(value, keyPath, "[acme]") is { } tenants ? match with { Tenants = [.. tenants.Select(t => t.Text)] } : match,
                "principals" => ReadGrant(value, keyPath, "[\"apikey:7f3a0c9e12b4d5e6\", \"jwt:https://login.example.com/#*\"]") is { } ids ? match with { Principals = ids } : match,
                _ => UnknownKey(keyPath, keyNode, MatchKeys, match),
            };
        }

        return match;
    }

    private NameGrant? ReadGrant(YamlNode node, string path, string example) =>
        ReadStringList(node, path, example) is { } items ? new NameGrant([.. items.Select(item => item.Text)]) : null;
}
