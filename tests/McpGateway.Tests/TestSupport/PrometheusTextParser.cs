using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using McpGateway.Observability.Prometheus;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, for checking what <c>/metrics</c> writes. It throws
/// <see cref="FormatException"/> (naming the line) on anything a scraper could misread: bad names or escapes, samples
/// without a <c># TYPE</c>, a family split in two, duplicate series, blank lines, a missing final newline, and
/// histograms whose buckets are not cumulative or do not end with <c>le="+Inf"</c> equal to <c>_count</c>.
/// </summary>
public static class PrometheusTextParser
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static PrometheusExposition Parse(string text)
    {
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var seriesSeen = new HashSet<string>(StringComparer.Ordinal);
        PrometheusFamily? current = null;
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition does not end with a line feed");
        }

        var lines = text.Length == 0 ? [] : text[..^1].Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            var lineNumber = index + 1;
            try
            {
                if (line.Length == 0)
                {
                    throw new FormatException("blank line");
                }

                if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var rest = line[7..];
                    var space = rest.IndexOf(' ', StringComparison.Ordinal);
                    if (space < 0)
                    {
                        throw new FormatException("HELP/TYPE without a value");
                    }

                    var name = rest[..space];
                    RequireMetricName(name);
                    var family = Open(name);
                    if (line[2] == 'H')
                    {
                        if (family.Help is not null)
                        {
                            throw new FormatException($"second HELP for {name}");
                        }

                        family.Help = UnescapeHelp(rest[(space + 1)..]);
                    }
                    else
                    {
                        var type = rest[(space + 1)..];
                        if (!Types.Contains(type))
                        {
                            throw new FormatException($"unknown type '{type}'");
                        }

                        if (family.Type is not null || family.Samples.Count > 0)
                        {
                            throw new FormatException($"TYPE for {name} after its first TYPE or sample");
                        }

                        family.Type = type;
                    }

                    continue;
                }

                if (line.StartsWith('#'))
                {
                    continue; // a comment
                }

                var sample = ParseSample(line);
                var owner = FamilyOf(sample.Name) ?? throw new FormatException($"sample {sample.Name} has no # TYPE");
                if (!ReferenceEquals(owner, current) && (owner.Samples.Count > 0 || closed.Contains(owner.Name)))
                {
                    throw new FormatException($"family {owner.Name} continues after another family");
                }

                SwitchTo(owner);
                if (!seriesSeen.Add(sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}"))
                {
                    throw new FormatException($"duplicate series {sample.Name}");
                }

                if (owner.Type == "counter" && !(sample.Value >= 0))
                {
                    throw new FormatException($"counter {sample.Name} has value {sample.Value}");
                }

                owner.Samples.Add(sample);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {lineNumber}: {e.Message}: {line}", e);
            }
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            ValidateHistogram(family);
        }

        return new PrometheusExposition(families);

        PrometheusFamily Open(string name)
        {
            if (closed.Contains(name))
            {
                throw new FormatException($"family {name} continues after another family");
            }

            if (!families.TryGetValue(name, out var family))
            {
                family = new PrometheusFamily(name);
                families.Add(name, family);
            }

            SwitchTo(family);
            return family;
        }

        void SwitchTo(PrometheusFamily family)
        {
            if (current is not null && !ReferenceEquals(current, family))
            {
                closed.Add(current.Name);
            }

            current = family;
        }

        PrometheusFamily? FamilyOf(string sampleName)
        {
            if (families.TryGetValue(sampleName, out var exact) && exact.Type is not null and not "histogram" and not "summary")
            {
                return exact;
            }

            foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            {
                if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                    && families.TryGetValue(sampleName[..^suffix.Length], out var parent)
                    && parent.Type is "histogram" or "summary"
                    && (suffix != "_bucket" || parent.Type == "histogram"))
                {
                    return parent;
                }
            }

            return null;
        }
    }

    private static PrometheusSample ParseSample(string line)
    {
        var position = 0;
        var name = ReadMetricName(line, ref position);
        if (name.Length == 0)
        {
            throw new FormatException("no metric name");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (true)
            {
                var labelName = ReadWhile(line, ref position, (c, i) => char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c)));
                if (labelName.Length == 0)
                {
                    throw new FormatException("bad label name");
                }

                Expect(line, ref position, '=');
                Expect(line, ref position, '"');
                var value = new StringBuilder();
                while (true)
                {
                    if (position >= line.Length)
                    {
                        throw new FormatException("unterminated label value");
                    }

                    var c = line[position++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        if (position >= line.Length)
                        {
                            throw new FormatException("dangling backslash");
                        }

                        value.Append(line[position++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"unknown escape \\{other}"),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(labelName, value.ToString()))
                {
                    throw new FormatException($"label {labelName} twice");
                }

                if (position < line.Length && line[position] == ',')
                {
                    position++;
                    continue;
                }

                Expect(line, ref position, '}');
                break;
            }
        }

        Expect(line, ref position, ' ');
        var fields = line[position..].Split(' ');
        if (fields.Length > 2 || (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException("expected a value and an optional integer timestamp");
        }

        return new PrometheusSample(name, labels, ParseValue(fields[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when text.Length > 0 && !text.Contains("Infinity", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"bad value '{text}'"),
    };

    private static string UnescapeHelp(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            if (++i >= text.Length)
            {
                throw new FormatException("dangling backslash in HELP");
            }

            result.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                var other => throw new FormatException($"unknown escape \\{other} in HELP"),
            });
        }

        return result.ToString();
    }

    private static void ValidateHistogram(PrometheusFamily family)
    {
        foreach (var series in family.Samples.GroupBy(s => SeriesId(s.Labels.Where(l => l.Key != "le")), StringComparer.Ordinal))
        {
            var buckets = series.Where(s => s.Name == family.Name + "_bucket").ToList();
            var where = $"histogram {family.Name}{{{series.Key}}}";
            if (buckets.Count == 0 || buckets.Any(b => !b.Labels.ContainsKey("le")))
            {
                throw new FormatException($"{where}: buckets missing or without le");
            }

            var bounds = buckets.Select(b => ParseValue(b.Labels["le"])).ToList();
            for (var i = 1; i < buckets.Count; i++)
            {
                if (!(bounds[i] > bounds[i - 1]) || buckets[i].Value < buckets[i - 1].Value)
                {
                    throw new FormatException($"{where}: buckets not in ascending le order with cumulative counts");
                }
            }

            if (!double.IsPositiveInfinity(bounds[^1]))
            {
                throw new FormatException($"{where}: last bucket is not le=\"+Inf\"");
            }

            var count = series.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"{where}: no _count");
            _ = series.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"{where}: no _sum");
            if (count.Value != buckets[^1].Value)
            {
                throw new FormatException($"{where}: _count {count.Value} differs from the +Inf bucket {buckets[^1].Value}");
            }
        }
    }

    internal static string SeriesId(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));

    private static void RequireMetricName(string name)
    {
        var position = 0;
        if (ReadMetricName(name, ref position).Length != name.Length || name.Length == 0)
        {
            throw new FormatException($"bad metric name '{name}'");
        }
    }

    private static string ReadMetricName(string line, ref int position) =>
        ReadWhile(line, ref position, (c, i) => char.IsAsciiLetter(c) || c is '_' or ':' || (i > 0 && char.IsAsciiDigit(c)));

    private static string ReadWhile(string line, ref int position, Func<char, int, bool> accept)
    {
        var start = position;
        while (position < line.Length && accept(line[position], position - start))
        {
            position++;
        }

        return line[start..position];
    }

    private static void Expect(string line, ref int position, char expected)
    {
        if (position >= line.Length || line[position] != expected)
        {
            throw new FormatException($"expected '{expected}' at column {position + 1}");
        }

        position++;
    }

    /// <summary>Scrapes a collector in process, as <c>/metrics</c> would, and parses the result strictly.</summary>
    internal static async Task<(PrometheusExposition Exposition, string Text)> ScrapeAsync(PrometheusCollector collector)
    {
        using var stream = new MemoryStream();
        var pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        await collector.WriteAsync(pipe, CancellationToken.None);
        await pipe.CompleteAsync();
        var text = Encoding.UTF8.GetString(stream.ToArray());
        return (Parse(text), text);
    }
}

/// <summary>One scrape: families by name.</summary>
public sealed class PrometheusExposition(IReadOnlyDictionary<string, PrometheusFamily> families)
{
    public IReadOnlyDictionary<string, PrometheusFamily> Families { get; } = families;

    public PrometheusFamily this[string name] => Families.TryGetValue(name, out var family)
        ? family
        : throw new KeyNotFoundException($"no family {name}; have: {string.Join(", ", Families.Keys)}");

    /// <summary>The value of the sample with exactly this name and these labels.</summary>
    public double Value(string sampleName, params (string Name, string Value)[] labels)
    {
        var wanted = PrometheusTextParser.SeriesId(labels.Select(l => KeyValuePair.Create(l.Name, l.Value)));
        var matches = Families.Values.SelectMany(f => f.Samples).Where(s => s.Name == sampleName && PrometheusTextParser.SeriesId(s.Labels) == wanted).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new KeyNotFoundException($"no sample {sampleName}{{{wanted}}}");
    }
}

public sealed class PrometheusFamily(string name)
{
    public string Name { get; } = name;

    public string? Type { get; internal set; }

    public string? Help { get; internal set; }

    public List<PrometheusSample> Samples { get; } = [];
}

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
