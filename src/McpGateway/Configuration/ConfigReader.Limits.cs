using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>The top-level <c>limits:</c> list: rate limits (token buckets) and daily/monthly quotas.</summary>
internal sealed partial class ConfigReader
{
    private const string LimitsKey = "limits";

    private const string LimitExample = "`{ name: per-user, per: principal, rate: 10/s, burst: 20 }` or `{ name: tenant-day, per: tenant, daily: 10000 }`";

    private static readonly string[] LimitKeys = ["name", "per", "rate", "burst", "daily", "monthly", "match", "views", "servers", "tools", "methods"];

    private LimitOptions ReadLimits(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return LimitOptions.None;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(path, node, $"must be a list of limits such as [{LimitExample}], not a {KindOf(node)}");
            return LimitOptions.None;
        }

        List<LimitRule> rules = [];
        HashSet<string> names = new(StringComparer.Ordinal);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (ReadLimit(sequence.Children[i], itemPath) is not { } rule)
            {
                continue;
            }

            if (!names.Add(rule.Name))
            {
                Error(Join(itemPath, "name"), sequence.Children[i], $"`{rule.Name}` names another limit too; names must be unique (they label metrics and errors)");
                continue;
            }

            rules.Add(rule);
        }

        return new LimitOptions { Rules = rules };
    }

    private LimitRule? ReadLimit(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {LimitExample}, not a {KindOf(node)}");
            return null;
        }

        var errorCount = errors.Count;
        var rule = new LimitRule { Name = string.Empty };
        YamlNode? burstNode = null;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            if (IsNull(value))
            {
                continue;
            }

            switch (key)
            {
                case "name":
                    rule = ReadNonEmptyString(value, keyPath, "per-user") is { } name ? rule with { Name = name } : rule;
                    break;
                case "per":
                    rule = ReadLimitKey(value, keyPath) is { } per ? rule with { Per = per } : rule;
                    break;
                case "rate":
                    rule = ReadRate(value, keyPath) is { } rate ? rule with { Rate = rate } : rule;
                    break;
                case "burst":
                    burstNode = value;
                    rule = ReadPositiveInteger(value, keyPath, "requests", "20") is { } burst ? rule with { Burst = burst } : rule;
                    break;
                case "daily":
                    rule = ReadPositiveInteger(value, keyPath, "requests", "10000") is { } daily ? rule with { Daily = daily } : rule;
                    break;
                case "monthly":
                    rule = ReadPositiveInteger(value, keyPath, "requests", "200000") is { } monthly ? rule with { Monthly = monthly } : rule;
                    break;
                case "match":
                    rule = ReadPrincipalMatch(value, keyPath) is { } match ? rule with { Match = match } : rule;
                    break;
                case "views":
                    rule = ReadGrant(value, keyPath, "[review, default]") is { } views ? rule with { Views = views } : rule;
                    break;
                case "servers":
                    rule = ReadGrant(value, keyPath, "[github, \"docs-*\"]") is { } servers ? rule with { Servers = servers } : rule;
                    break;
                case "tools":
                    rule = ReadGrant(value, keyPath, "[\"github__create_*\"]") is { } tools ? rule with { Tools = tools } : rule;
                    break;
                case "methods":
                    rule = ReadStringList(value, keyPath, "[tools/call, resources/read]") is { } methods ? rule with { Methods = [.. methods.Select(m => m.Text)] } : rule;
                    break;
                default:
                    UnknownKey(keyPath, keyNode, LimitKeys);
                    break;
            }
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        if (rule.Name.Length == 0)
        {
            Error(path, map, $"`name` is required (it labels metrics and errors); write e.g. {LimitExample}");
            return null;
        }

        if (rule.Rate is null && rule.Daily is null && rule.Monthly is null)
        {
            Error(path, map, $"limits nothing: set `rate` (e.g. 10/s), `daily` or `monthly`; write e.g. {LimitExample}");
            return null;
        }

        if (burstNode is not null && rule.Rate is null)
        {
            Error(Join(path, "burst"), burstNode, "needs a `rate` to refill the bucket, e.g. `rate: 10/s`");
            return null;
        }

        // Without a burst the bucket holds one period's tokens (at least one).
        return rule.Rate is { } refill && rule.Burst == 0 ? rule with { Burst = Math.Max(1, Math.Ceiling(refill.Tokens)) } : rule;
    }

    private List<LimitKeyPart>? ReadLimitKey(YamlNode node, string path)
    {
        List<(string Text, YamlNode Node, string Path)>? items = node is YamlScalarNode scalar && Text(scalar, path, "principal") is { } single
            ? [(single, node, path)]
            : node is YamlSequenceNode ? ReadStringList(node, path, "[principal, tool]") : null;
        if (items is null)
        {
            if (node is not YamlScalarNode and not YamlSequenceNode)
            {
                Error(path, node, $"must be principal, tenant, server, tool or a list of them, not a {KindOf(node)}");
            }

            return null;
        }

        List<LimitKeyPart> parts = [];
        foreach (var (text, itemNode, itemPath) in items)
        {
            if (string.Equals(text, "global", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (text.Length == 0 || char.IsAsciiDigit(text[0]) || !Enum.TryParse<LimitKeyPart>(text, ignoreCase: true, out var part))
            {
                Error(itemPath, itemNode, $"`{text}` is not a limit key; write principal, tenant, server, tool or global");
                return null;
            }

            if (!parts.Contains(part))
            {
                parts.Add(part);
            }
        }

        return parts;
    }

    private LimitRate? ReadRate(YamlNode node, string path)
    {
        if (Text(node, path, "a rate such as 10/s") is not { } text)
        {
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        TimeSpan? period = slash < 0 ? null : text[(slash + 1)..].Trim() switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            "h" or "hour" => TimeSpan.FromHours(1),
            "d" or "day" => TimeSpan.FromDays(1),
            _ => null,
        };
        if (period is null || !double.TryParse(text[..slash].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var tokens) || tokens <= 0)
        {
            Error(path, node, $"`{Raw(node)}` is not a rate; write requests per period, e.g. 10/s, 600/min, 5000/h or 0.5/s");
            return null;
        }

        return new LimitRate(tokens, period.Value);
    }
}
