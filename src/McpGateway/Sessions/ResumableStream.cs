using System.Runtime.CompilerServices;
using McpGateway.Upstreams;
using ModelContextProtocol.Protocol;

namespace McpGateway.Sessions;

/// <summary>
/// The event log of one SSE stream of a resumable session (2025-11-25 and later): a request's response stream or the
/// standalone GET stream. Every event gets an id <c>{stream}_{seq}</c>; a client that lost the connection reconnects
/// with <c>Last-Event-ID</c> and gets what it missed, from this stream only. One reader at a time: a new one takes over.
/// </summary>
internal sealed class ResumableStream(int id, RequestId? requestId, CancellationTokenSource? forwarding) : IClientChannel
{
    /// <summary>Events kept per stream for replay; older ones are dropped (a long progress run keeps its tail).</summary>
    public const int Capacity = 1000;

    private readonly Lock _lock = new();
    private readonly Queue<(long Seq, JsonRpcMessage Message)> _events = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSeq;
    private bool _completed;
    private int _readerGeneration;
    private bool _hasReader;

    /// <summary>0 for the standalone stream, 1, 2, … for request streams.</summary>
    public int Id { get; } = id;

    /// <summary>The request this stream answers; null for the standalone stream.</summary>
    public RequestId? RequestId { get; } = requestId;

    /// <summary>Cancels the upstream work of this stream's request (when nobody resumes it in time).</summary>
    public CancellationTokenSource? Forwarding { get; } = forwarding;

    public DateTimeOffset CompletedAt { get; private set; }

    /// <summary>The last event a reader was given; a plain GET (no Last-Event-ID) continues after it.</summary>
    public long LastSentSeq { get; private set; }

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    public bool HasReader
    {
        get
        {
            lock (_lock)
            {
                return _hasReader;
            }
        }
    }

    public string EventId(long seq) => $"{Id}_{seq}";

    public static bool TryParseEventId(string value, out int streamId, out long seq)
    {
        seq = 0;
        var cut = value.IndexOf('_', StringComparison.Ordinal);
        streamId = 0;
        return cut > 0 && int.TryParse(value.AsSpan(0, cut), out streamId) && long.TryParse(value.AsSpan(cut + 1), out seq);
    }

    public bool TryWrite(JsonRpcMessage message)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _events.Enqueue((++_lastSeq, message));
            if (_events.Count > Capacity)
            {
                _events.Dequeue();
            }

            signal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
        return true;
    }

    public void Complete(DateTimeOffset now)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            CompletedAt = now;
            signal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }

    /// <summary>Makes the caller the stream's only reader; a previous reader stops at its next step.</summary>
    public int Attach()
    {
        TaskCompletionSource signal;
        int generation;
        lock (_lock)
        {
            _hasReader = true;
            generation = ++_readerGeneration;
            signal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
        return generation;
    }

    public void Detach(int generation)
    {
        lock (_lock)
        {
            if (generation == _readerGeneration)
            {
                _hasReader = false;
            }
        }
    }

    /// <summary>True when no reader has attached since <paramref name="generation"/> detached.</summary>
    public bool IsAbandonedSince(int generation)
    {
        lock (_lock)
        {
            return !_hasReader && _readerGeneration == generation;
        }
    }

    /// <summary>Events after <paramref name="afterSeq"/>, live, until the stream completes or another reader takes over.</summary>
    public async IAsyncEnumerable<(long Seq, JsonRpcMessage Message)> ReadAsync(long afterSeq, int generation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<(long, JsonRpcMessage)>();
        while (true)
        {
            Task changed;
            bool completed;
            batch.Clear();
            lock (_lock)
            {
                if (generation != _readerGeneration)
                {
                    yield break;
                }

                foreach (var item in _events)
                {
                    if (item.Seq > afterSeq)
                    {
                        batch.Add(item);
                    }
                }

                completed = _completed;
                changed = _changed.Task;
            }

            foreach (var (seq, message) in batch)
            {
                yield return (seq, message);
                afterSeq = seq;
                LastSentSeq = seq;
            }

            if (batch.Count == 0)
            {
                if (completed)
                {
                    yield break;
                }

                await changed.WaitAsync(cancellationToken);
            }
        }
    }
}
