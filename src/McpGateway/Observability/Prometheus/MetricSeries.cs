namespace McpGateway.Observability.Prometheus;

/// <summary>One label set of a family. <see cref="Labels"/> is rendered once, when the series appears.</summary>
internal abstract class MetricSeries(byte[] labels)
{
    /// <summary><c>name="escaped value"</c> pairs, comma-separated, sorted by name, without braces.</summary>
    public byte[] Labels { get; } = labels;
}

/// <summary>A counter or gauge value: added to (Counter, UpDownCounter) or replaced (Gauge, observable instruments).</summary>
internal sealed class ValueSeries(byte[] labels) : MetricSeries(labels)
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Add(double amount) => AtomicDouble.Add(ref _value, amount);

    public void Set(double value) => Volatile.Write(ref _value, value);
}

/// <summary>Bucket counts (not yet cumulative; the last one is +Inf) and the sum of one histogram label set.</summary>
internal sealed class HistogramSeries(byte[] labels, int bucketCount) : MetricSeries(labels)
{
    private readonly long[] _counts = new long[bucketCount];
    private double _sum;

    public double Sum => Volatile.Read(ref _sum);

    public long CountAt(int bucket) => Volatile.Read(ref _counts[bucket]);

    public void Record(int bucket, double value)
    {
        Interlocked.Increment(ref _counts[bucket]);
        AtomicDouble.Add(ref _sum, value);
    }
}

internal static class AtomicDouble
{
    public static void Add(ref double target, double amount)
    {
        var current = Volatile.Read(ref target);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref target, current + amount, current);
            // Compare bits, as CompareExchange does (NaN and -0.0 would fool ==).
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }
}
