using System.Diagnostics;
using System.Globalization;

namespace McpGateway.Bench;

/// <summary>Latencies of one measured run plus what the whole process spent on it (allocations, CPU, GCs).</summary>
internal sealed class Measurement
{
    private readonly double[] _sorted;

    /// <param name="blocks">The run in pieces (operations, cost of each): allocations per operation are the median over
    /// them, because <see cref="GC.GetTotalAllocatedBytes"/> can jump when the server GC's dynamic adaptation (DATAS)
    /// changes the heap count (dotnet/runtime#131069): one piece absorbs the jump, the median ignores it.</param>
    public Measurement(string name, int concurrency, IEnumerable<double> latenciesMs, TimeSpan elapsed, IReadOnlyList<(int Operations, ProcessCost Cost)> blocks)
    {
        Name = name;
        Concurrency = concurrency;
        _sorted = [.. latenciesMs];
        Array.Sort(_sorted);
        Elapsed = elapsed;
        Cost = blocks.Aggregate(default(ProcessCost), (sum, b) => sum + b.Cost);
        var perOp = blocks.Where(b => b.Operations > 0).Select(b => (double)b.Cost.AllocatedBytes / b.Operations).Order().ToArray();
        BytesPerOp = perOp.Length == 0 ? 0 : perOp.Length % 2 == 1 ? perOp[perOp.Length / 2] : (perOp[(perOp.Length / 2) - 1] + perOp[perOp.Length / 2]) / 2;
    }

    public string Name { get; }

    public int Concurrency { get; }

    public int Count => _sorted.Length;

    public TimeSpan Elapsed { get; }

    public ProcessCost Cost { get; }

    public double P50 => Percentile(0.50);

    public double P90 => Percentile(0.90);

    public double P99 => Percentile(0.99);

    public double Mean => _sorted.Length == 0 ? 0 : _sorted.Average();

    public double Max => _sorted.Length == 0 ? 0 : _sorted[^1];

    public double PerSecond => Count / Elapsed.TotalSeconds;

    /// <summary>Median over the blocks of bytes allocated per operation (whole process).</summary>
    public double BytesPerOp { get; }

    public double CpuMicrosPerOp => Cost.Cpu.TotalMicroseconds / Count;

    public double WorkItemsPerOp => (double)Cost.WorkItems / Count;

    /// <summary>Nearest-rank percentile.</summary>
    public double Percentile(double p)
    {
        if (_sorted.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    public static string Ms(double value) => value.ToString(value >= 100 ? "0.0" : "0.000", CultureInfo.InvariantCulture);

    public static string Kb(double bytes) => (bytes / 1024).ToString(bytes >= 100 * 1024 ? "0" : "0.0", CultureInfo.InvariantCulture);

    public static string N0(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}

/// <summary>Whole-process counters: everything in this process (bench client, gateway, fake upstreams) counts.</summary>
/// <param name="WorkItems">Thread-pool work items completed: roughly how many times an operation hopped threads.</param>
internal readonly record struct ProcessCost(long AllocatedBytes, TimeSpan Cpu, int Gen0, int Gen1, int Gen2, long WorkItems)
{
    public static ProcessCost Now()
    {
        using var process = Process.GetCurrentProcess();
        return new(GC.GetTotalAllocatedBytes(precise: true), process.TotalProcessorTime, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            ThreadPool.CompletedWorkItemCount);
    }

    public static ProcessCost operator -(ProcessCost a, ProcessCost b) =>
        new(a.AllocatedBytes - b.AllocatedBytes, a.Cpu - b.Cpu, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.WorkItems - b.WorkItems);

    public static ProcessCost operator +(ProcessCost a, ProcessCost b) =>
        new(a.AllocatedBytes + b.AllocatedBytes, a.Cpu + b.Cpu, a.Gen0 + b.Gen0, a.Gen1 + b.Gen1, a.Gen2 + b.Gen2, a.WorkItems + b.WorkItems);

    public string Gcs => $"{Gen0}/{Gen1}/{Gen2}";
}
