using System.Collections.Concurrent;
using System.Text;

namespace McpGateway.Observability.Prometheus;

/// <summary>
/// One Prometheus family (one or more instruments with the same exposed name) and its series. The record path finds
/// an existing series without locking or allocating; a new label set takes a lock, renders its labels once and is
/// refused (and counted) once the family holds the maximum number of series.
/// </summary>
internal abstract class MetricFamily
{
    private readonly ConcurrentDictionary<SeriesKey, MetricSeries> _byTags = new(SeriesKeyComparer.Instance);
    private readonly ConcurrentDictionary<SeriesKey, MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
    private readonly Dictionary<string, MetricSeries> _byLabels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly int _maxSeries;
    private MetricSeries[] _series = [];
    private volatile bool _full;
    private long _droppedMeasurements;

    protected MetricFamily(string name, string help, PrometheusMetricType type, int maxSeries)
    {
        _lookup = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
        _maxSeries = maxSeries;
        Name = name;
        NameUtf8 = Encoding.UTF8.GetBytes(name);
        EscapedHelpUtf8 = PrometheusTextWriter.EscapeHelp(help);
        Type = type;
    }

    public string Name { get; }

    public PrometheusMetricType Type { get; }

    protected byte[] NameUtf8 { get; }

    private byte[] EscapedHelpUtf8 { get; }

    /// <summary>Measurements refused because they would have opened a series beyond the cap.</summary>
    public long DroppedMeasurements => Interlocked.Read(ref _droppedMeasurements);

    /// <summary>The series in the order they appeared (a snapshot; new series replace the array).</summary>
    protected MetricSeries[] Series => Volatile.Read(ref _series);

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Whether another instrument that maps to the same name can feed this family.</summary>
    public abstract bool CanMerge(MetricFamily other);

    public void WriteTo(PrometheusTextWriter writer)
    {
        writer.WriteFamilyHeader(NameUtf8, EscapedHelpUtf8, Type);
        WriteSeries(writer);
    }

    protected abstract void WriteSeries(PrometheusTextWriter writer);

    protected abstract MetricSeries CreateSeries(byte[] labels);

    /// <summary>Histograms reserve <c>le</c> for their buckets.</summary>
    protected virtual bool IsReservedLabel(string labelName) => false;

    /// <summary>The series for these tags, or null when it would exceed the cap.</summary>
    protected MetricSeries? FindSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _lookup.TryGetValue(tags, out var series) ? series : AddSeries(tags);

    private MetricSeries? AddSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_full)
        {
            Interlocked.Increment(ref _droppedMeasurements);
            return null;
        }

        lock (_gate)
        {
            if (_lookup.TryGetValue(tags, out var series))
            {
                return series;
            }

            // Different tag sets can render the same labels (int 1 and long 1, "a.b" and "a_b"): they share a series,
            // so the output never holds a duplicate.
            var labels = RenderLabels(tags);
            if (!_byLabels.TryGetValue(labels, out series))
            {
                if (_byLabels.Count >= _maxSeries)
                {
                    _full = true;
                    Interlocked.Increment(ref _droppedMeasurements);
                    return null;
                }

                series = CreateSeries(Encoding.UTF8.GetBytes(labels));
                _byLabels.Add(labels, series);
                Volatile.Write(ref _series, [.. _series, series]);
            }

            _byTags.TryAdd(SeriesKeyComparer.Instance.Create(tags), series);
            return series;
        }
    }

    // name="value" pairs sorted by label name; a name seen twice (after sanitizing) keeps its first value.
    private string RenderLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            var name = PrometheusNames.LabelName(tag.Key);
            if (!IsReservedLabel(name) && !labels.Exists(l => l.Name == name))
            {
                labels.Add((name, FormatTagValue(tag.Value)));
            }
        }

        labels.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var text = new StringBuilder();
        foreach (var (name, value) in labels)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(name).Append("=\"").Append(PrometheusTextWriter.EscapeLabelValue(value)).Append('"');
        }

        return text.ToString();
    }

    private static string FormatTagValue(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>Counters and gauges: one number per series.</summary>
internal sealed class ValueFamily(string name, string help, PrometheusMetricType type, bool replacesValue, int maxSeries)
    : MetricFamily(name, help, type, maxSeries)
{
    /// <summary>Observable instruments and gauges report the current value; Counter and UpDownCounter report increments.</summary>
    public bool ReplacesValue { get; } = replacesValue;

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // A counter never goes down: a negative or NaN increment would break rate().
        if (!ReplacesValue && Type == PrometheusMetricType.Counter && !(value >= 0))
        {
            return;
        }

        if (FindSeries(tags) is ValueSeries series)
        {
            if (ReplacesValue)
            {
                series.Set(value);
            }
            else
            {
                series.Add(value);
            }
        }
    }

    public override bool CanMerge(MetricFamily other) => other is ValueFamily v && v.Type == Type && v.ReplacesValue == ReplacesValue;

    protected override MetricSeries CreateSeries(byte[] labels) => new ValueSeries(labels);

    protected override void WriteSeries(PrometheusTextWriter writer)
    {
        foreach (var series in Series)
        {
            writer.WriteSample(NameUtf8, default, series.Labels, default, ((ValueSeries)series).Value);
        }
    }
}

/// <summary>Histograms: counts per bucket (upper bounds inclusive, as Prometheus' <c>le</c>), a sum, and the total.</summary>
internal sealed class HistogramFamily : MetricFamily
{
    private static readonly byte[] BucketSuffix = "_bucket"u8.ToArray();
    private static readonly byte[] SumSuffix = "_sum"u8.ToArray();
    private static readonly byte[] CountSuffix = "_count"u8.ToArray();
    private readonly double[] _upperBounds;
    private readonly byte[][] _leLabels;

    public HistogramFamily(string name, string help, double[] upperBounds, int maxSeries)
        : base(name, help, PrometheusMetricType.Histogram, maxSeries)
    {
        _upperBounds = upperBounds;
        _leLabels = new byte[upperBounds.Length + 1][];
        for (var i = 0; i < upperBounds.Length; i++)
        {
            _leLabels[i] = Encoding.UTF8.GetBytes($"le=\"{PrometheusTextWriter.FormatNumber(upperBounds[i])}\"");
        }

        _leLabels[^1] = "le=\"+Inf\""u8.ToArray();
    }

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // NaN fits no bucket and would turn the sum into NaN for good.
        if (double.IsNaN(value))
        {
            return;
        }

        var index = Array.BinarySearch(_upperBounds, value);
        var bucket = index >= 0 ? index : ~index;
        if (FindSeries(tags) is HistogramSeries series)
        {
            series.Record(bucket, value);
        }
    }

    public override bool CanMerge(MetricFamily other) => other is HistogramFamily h && h._upperBounds.AsSpan().SequenceEqual(_upperBounds);

    protected override bool IsReservedLabel(string labelName) => labelName == "le";

    protected override MetricSeries CreateSeries(byte[] labels) => new HistogramSeries(labels, _upperBounds.Length + 1);

    protected override void WriteSeries(PrometheusTextWriter writer)
    {
        foreach (var item in Series)
        {
            var series = (HistogramSeries)item;
            // _count is the +Inf bucket as written, so the two agree even while measurements arrive.
            long cumulative = 0;
            for (var i = 0; i < _leLabels.Length; i++)
            {
                cumulative += series.CountAt(i);
                writer.WriteSample(NameUtf8, BucketSuffix, series.Labels, _leLabels[i], cumulative);
            }

            writer.WriteSample(NameUtf8, SumSuffix, series.Labels, default, series.Sum);
            writer.WriteSample(NameUtf8, CountSuffix, series.Labels, default, cumulative);
        }
    }
}
