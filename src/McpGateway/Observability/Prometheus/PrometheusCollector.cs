using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Numerics;
using System.Text;

namespace McpGateway.Observability.Prometheus;

/// <summary>
/// Aggregates the app's metrics in memory for <c>/metrics</c>: every instrument of a meter created through this app's
/// <see cref="IMeterFactory"/> (so two gateways in one process keep their numbers apart) plus the runtime's static
/// "System.Runtime" meter. Counters keep cumulative sums, gauges the last value, histograms cumulative buckets;
/// observable instruments are read at scrape time.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    public const int DefaultMaxSeriesPerMetric = 2000;

    /// <summary>The collector's own family: measurements refused by the series cap, per metric.</summary>
    public const string DroppedMeasurementsName = "mcp_gateway_metrics_measurements_dropped_total";

    private const string RuntimeMeterName = "System.Runtime";
    private const int FlushThresholdBytes = 32 * 1024;

    // Sub-millisecond resolution for the gateway's own latencies; used when a seconds histogram gives no advice.
    private static readonly double[] DefaultSecondsBounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly double[] DefaultBytesBounds = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private static readonly byte[] DroppedFamilyHeaderName = Encoding.UTF8.GetBytes(DroppedMeasurementsName);
    private static readonly byte[] DroppedFamilyHelp = PrometheusTextWriter.EscapeHelp("Measurements not recorded because their metric reached the series cap (distinct label sets per metric).");

    private readonly IMeterFactory _scope;
    private readonly int _maxSeriesPerMetric;
    private readonly MeterListener _listener;
    private readonly Lock _familiesGate = new();
    private readonly Dictionary<string, MetricFamily> _familiesByName = new(StringComparer.Ordinal);
    private readonly Lock _observeGate = new();
    private MetricFamily[] _families = [];

    public PrometheusCollector(IMeterFactory meterFactory, int maxSeriesPerMetric = DefaultMaxSeriesPerMetric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeriesPerMetric, 1);
        _scope = meterFactory;
        _maxSeriesPerMetric = maxSeriesPerMetric;
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<byte>(OnMeasurement);
        _listener.SetMeasurementEventCallback<short>(OnMeasurement);
        _listener.SetMeasurementEventCallback<int>(OnMeasurement);
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.SetMeasurementEventCallback<float>(OnMeasurement);
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.SetMeasurementEventCallback<decimal>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then writes every family in the text format 0.0.4.</summary>
    public async Task WriteAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        lock (_observeGate)
        {
            // Observable callbacks are user code; one scrape at a time calls them.
            _listener.RecordObservableInstruments();
        }

        var families = Volatile.Read(ref _families);
        var writer = new PrometheusTextWriter(output);
        foreach (var family in families)
        {
            family.WriteTo(writer);
            if (writer.UnflushedBytes >= FlushThresholdBytes)
            {
                writer.MarkFlushed();
                if ((await output.FlushAsync(cancellationToken)).IsCompleted)
                {
                    return;
                }
            }
        }

        WriteDroppedMeasurements(writer, families);
        await output.FlushAsync(cancellationToken);
    }

    public void Dispose() => _listener.Dispose();

    private static void OnMeasurement<T>(Instrument instrument, T measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        where T : struct, INumberBase<T> =>
        ((MetricFamily)state!).Record(double.CreateTruncating(measurement), tags);

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        var inScope = ReferenceEquals(meter.Scope, _scope) || (meter.Scope is null && meter.Name == RuntimeMeterName);
        if (inScope && FamilyFor(instrument) is { } family)
        {
            listener.EnableMeasurementEvents(instrument, family);
        }
    }

    /// <summary>The family this instrument feeds, or null when its kind is unknown or its name is taken by a different kind.</summary>
    private MetricFamily? FamilyFor(Instrument instrument)
    {
        var candidate = CreateFamily(instrument);
        if (candidate is null)
        {
            return null;
        }

        lock (_familiesGate)
        {
            if (_familiesByName.TryGetValue(candidate.Name, out var existing))
            {
                return existing.CanMerge(candidate) ? existing : null;
            }

            if (candidate.Name == DroppedMeasurementsName)
            {
                return null;
            }

            _familiesByName.Add(candidate.Name, candidate);
            var families = new List<MetricFamily>(_families) { candidate };
            families.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            Volatile.Write(ref _families, [.. families]);
            return candidate;
        }
    }

    private MetricFamily? CreateFamily(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
        if (definition == typeof(Histogram<>))
        {
            var name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, PrometheusMetricType.Histogram);
            return new HistogramFamily(name, help, BucketBounds(instrument), _maxSeriesPerMetric);
        }

        (PrometheusMetricType Type, bool Replaces)? kind =
            definition == typeof(Counter<>) ? (PrometheusMetricType.Counter, false)
            : definition == typeof(ObservableCounter<>) ? (PrometheusMetricType.Counter, true)
            : definition == typeof(UpDownCounter<>) ? (PrometheusMetricType.Gauge, false)
            : definition == typeof(ObservableUpDownCounter<>) ? (PrometheusMetricType.Gauge, true)
            : definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>) ? (PrometheusMetricType.Gauge, true)
            : null;
        if (kind is not { } k)
        {
            return null;
        }

        return new ValueFamily(PrometheusNames.MetricName(instrument.Name, instrument.Unit, k.Type), help, k.Type, k.Replaces, _maxSeriesPerMetric);
    }

    /// <summary>The instrument's advice when it is usable (finite, strictly ascending), else a default for its unit.</summary>
    private static double[] BucketBounds(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            Histogram<float> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            Histogram<long> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            Histogram<int> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            Histogram<short> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            Histogram<byte> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            Histogram<decimal> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            _ => null,
        };
        if (advised is { Length: > 0 } && IsStrictlyAscendingAndFinite(advised))
        {
            return advised;
        }

        return instrument.Unit switch
        {
            "s" => DefaultSecondsBounds,
            "By" => DefaultBytesBounds,
            _ => DefaultBounds,
        };
    }

    private static double[]? ToDoubles<T>(IReadOnlyList<T>? values) where T : INumberBase<T> =>
        values?.Select(double.CreateTruncating).ToArray();

    private static bool IsStrictlyAscendingAndFinite(double[] bounds)
    {
        for (var i = 0; i < bounds.Length; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteDroppedMeasurements(PrometheusTextWriter writer, MetricFamily[] families)
    {
        writer.WriteFamilyHeader(DroppedFamilyHeaderName, DroppedFamilyHelp, PrometheusMetricType.Counter);
        foreach (var family in families)
        {
            if (family.DroppedMeasurements > 0)
            {
                // Family names are sanitized: nothing in them needs escaping.
                writer.WriteSample(DroppedFamilyHeaderName, default, Encoding.UTF8.GetBytes($"metric=\"{family.Name}\""), default, family.DroppedMeasurements);
            }
        }
    }
}
