using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>The top-level <c>audit:</c> section.</summary>
internal sealed partial class ConfigReader
{
    private const string AuditKey = "audit";

    private static readonly string[] AuditKeys = ["enabled", "arguments", "retention", "queueCapacity"];

    private AuditOptions ReadAudit(YamlNode node, string path)
    {
        var options = new AuditOptions();
        if (IsNull(node))
        {
            return options;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ arguments: hash, retention: 30d }}`, not a {KindOf(node)}");
            return options;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            if (IsNull(value))
            {
                continue;
            }

            options = key switch
            {
                "enabled" => ReadBoolean(value, keyPath) is { } enabled ? options with { Enabled = enabled } : options,
                "arguments" => ReadAuditArguments(value, keyPath) is { } arguments ? options with { Arguments = arguments } : options,
                "retention" => ReadRetention(value, keyPath, options),
                "queueCapacity" => ReadPositiveInteger(value, keyPath, "records", "10000") is { } capacity
                    ? options with { QueueCapacity = (int)Math.Min(capacity, 1_000_000) }
                    : options,
                _ => UnknownKey(keyPath, keyNode, AuditKeys, options),
            };
        }

        return options;
    }

    private AuditArguments? ReadAuditArguments(YamlNode node, string path)
    {
        var text = Text(node, path, "hash, redact or omit");
        AuditArguments? arguments = text switch
        {
            "hash" => AuditArguments.Hash,
            "redact" => AuditArguments.Redact,
            "omit" => AuditArguments.Omit,
            _ => null,
        };
        if (text is not null && arguments is null)
        {
            Error(path, node, $"`{Raw(node)}` is not an arguments mode; write hash (default), redact or omit");
        }

        return arguments;
    }

    /// <summary><c>30d</c>, any duration (<c>720h</c>), or <c>off</c>/<c>0</c> to keep records forever.</summary>
    private AuditOptions ReadRetention(YamlNode node, string path, AuditOptions options)
    {
        var text = Text(node, path, "a duration such as 30d");
        if (text is null)
        {
            return options;
        }

        if (text is "off" or "0")
        {
            return options with { Retention = null };
        }

        if (text.EndsWith('d') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0)
        {
            return options with { Retention = TimeSpan.FromDays(days) };
        }

        return ReadDuration(node, path) is { } retention ? options with { Retention = retention } : options;
    }
}
