namespace McpGateway.Upstreams;

/// <summary>
/// The timeout of one upstream request that progress notifications push back: each restarts the idle timeout, but
/// never beyond <see cref="Max"/> after the start.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _expired;
    private readonly TimeProvider _time;
    private readonly long _started;

    public RequestDeadline(TimeSpan idle, TimeSpan max, TimeProvider time)
    {
        Idle = idle;
        Max = max < idle ? idle : max;
        _time = time;
        _started = time.GetTimestamp();
        _expired = new CancellationTokenSource(idle, time);
    }

    public TimeSpan Idle { get; }

    public TimeSpan Max { get; }

    /// <summary>Cancelled when the deadline passes.</summary>
    public CancellationToken Token => _expired.Token;

    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>The upstream reported progress: it gets another idle timeout, within the cap.</summary>
    public void Extend()
    {
        var left = Max - Elapsed;
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            _expired.CancelAfter(left < Idle ? left : Idle);
        }
        catch (ObjectDisposedException)
        {
            // The request ended meanwhile.
        }
    }

    public void Dispose() => _expired.Dispose();
}
