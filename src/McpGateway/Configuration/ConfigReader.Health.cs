using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary><c>gateway.health</c> (the defaults) and <c>mcpServers.x.health</c> (overrides, or <c>false</c>).</summary>
internal sealed partial class ConfigReader
{
    private const string HealthExample = "`{ interval: 30s, timeout: 5s, unhealthyAfter: 3, degradedLatency: 1s }` or false";

    private static readonly string[] HealthKeys = ["enabled", "interval", "timeout", "unhealthyAfter", "degradedLatency"];

    /// <summary>What a server's <c>health:</c> keys override; set by <c>gateway.health</c>, which is read before any server.</summary>
    private HealthCheckOptions _healthDefaults = HealthCheckOptions.Default;

    /// <summary>A mapping of the keys it changes over <paramref name="defaults"/>, or true/false; null after an error.</summary>
    private HealthCheckOptions? ReadHealth(YamlNode node, string path, HealthCheckOptions defaults)
    {
        if (node is YamlScalarNode)
        {
            return ReadBoolean(node, path) is { } enabled ? defaults with { Enabled = enabled } : null;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {HealthExample}, not a {KindOf(node)}");
            return null;
        }

        var errorCount = errors.Count;
        var options = defaults;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            options = key switch
            {
                "enabled" => ReadBoolean(value, keyPath) is { } enabled ? options with { Enabled = enabled } : options,
                "interval" => ReadDuration(value, keyPath) is { } interval ? options with { Interval = interval } : options,
                "timeout" => ReadDuration(value, keyPath) is { } timeout ? options with { Timeout = timeout } : options,
                "degradedLatency" => ReadDuration(value, keyPath) is { } latency ? options with { DegradedLatency = latency } : options,
                "unhealthyAfter" => ReadUnhealthyAfter(value, keyPath) is { } count ? options with { UnhealthyAfter = count } : options,
                _ => UnknownKey(keyPath, keyNode, HealthKeys, options),
            };
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        if (options.Enabled && options.DegradedLatency >= options.Timeout)
        {
            Warning(path, node, $"`degradedLatency` ({ConfigValueParser.FormatDuration(options.DegradedLatency)}) is not shorter than `timeout` ({ConfigValueParser.FormatDuration(options.Timeout)}), so a slow answer is never reported as degraded; make degradedLatency the smaller one");
        }

        return options;
    }

    private int? ReadUnhealthyAfter(YamlNode node, string path)
    {
        if (Text(node, path, "a whole number of failed checks") is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= HealthCheckOptions.MaxUnhealthyAfter)
        {
            return value;
        }

        Error(path, node, $"`{Raw(node)}` is not a number of consecutive failed checks; write a whole number from 1 to {HealthCheckOptions.MaxUnhealthyAfter}, e.g. 3");
        return null;
    }
}
