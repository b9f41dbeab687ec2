using System.Text;

namespace McpGateway.Observability.Prometheus;

/// <summary>How instrument names, units and tags become Prometheus metric and label names.</summary>
internal static class PrometheusNames
{
    /// <summary>
    /// The family name of an instrument: invalid characters become '_', the unit adds "_seconds" ("s") or "_bytes"
    /// ("By") unless the name already ends with it, and counters end with "_total".
    /// </summary>
    public static string MetricName(string instrumentName, string? unit, PrometheusMetricType type)
    {
        var name = Sanitize(instrumentName);
        var counter = type == PrometheusMetricType.Counter;
        if (counter && name.EndsWith("_total", StringComparison.Ordinal) && name.Length > "_total".Length)
        {
            name = name[..^"_total".Length];
        }

        if (UnitSuffix(unit) is { } suffix && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        return counter ? name + "_total" : name;
    }

    /// <summary>A label name: invalid characters become '_', and a leading digit gets a '_' in front.</summary>
    public static string LabelName(string tagName) => Sanitize(tagName);

    private static string? UnitSuffix(string? unit) => unit switch
    {
        "s" => "_seconds",
        "By" => "_bytes",
        _ => null,
    };

    // Metric names allow [a-zA-Z_:][a-zA-Z0-9_:]*, label names the same without ':'. Colons are reserved for
    // recording rules, so both kinds use the label alphabet.
    private static string Sanitize(string name)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var valid = !char.IsAsciiDigit(name[0]);
        foreach (var c in name)
        {
            valid &= IsNameChar(c);
        }

        if (valid)
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }

        foreach (var c in name)
        {
            builder.Append(IsNameChar(c) ? c : '_');
        }

        return builder.ToString();
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}

/// <summary>The <c># TYPE</c> of a family.</summary>
internal enum PrometheusMetricType
{
    Counter,
    Gauge,
    Histogram,
}
