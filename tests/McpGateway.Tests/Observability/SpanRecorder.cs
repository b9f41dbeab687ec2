using System.Collections.Concurrent;
using System.Diagnostics;
using McpGateway.Observability;

namespace McpGateway.Tests.Observability;

/// <summary>
/// Samples and keeps every finished span of the gateway's <see cref="ActivitySource"/>. The source is process-wide, so
/// tests pick their own spans by a trace id they made up.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Activity> _started = new();

    /// <param name="alsoListenTo">Other sources to record too (e.g. "System.Net.Http" for HttpClient's own spans).</param>
    public SpanRecorder(params string[] alsoListenTo)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayTelemetry.ActivitySourceName || alsoListenTo.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _started.Enqueue,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Every span recorded so far, of any trace.</summary>
    public IReadOnlyList<Activity> All => [.. _stopped];

    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => _stopped.Where(a => a.TraceId == traceId).ToList();

    /// <summary>
    /// Spans of the trace that have started, finished or not. The host's request span ends only after the response has
    /// reached the client, so a test that just read the answer must look it up here.
    /// </summary>
    public IReadOnlyList<Activity> StartedInTrace(ActivityTraceId traceId) => _started.Where(a => a.TraceId == traceId).ToList();

    /// <summary>A client-side W3C context: a fresh trace, a span id standing for the caller's span, sampled.</summary>
    public static (ActivityTraceId TraceId, ActivitySpanId SpanId, string TraceParent) NewCallerContext()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        return (traceId, spanId, $"00-{traceId.ToHexString()}-{spanId.ToHexString()}-01");
    }

    public void Dispose() => _listener.Dispose();
}
