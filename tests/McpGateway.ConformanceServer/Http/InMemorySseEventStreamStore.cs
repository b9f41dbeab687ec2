using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.ConformanceServer.Http;

/// <summary>
/// Keeps every SSE event a session's transport writes so a client can resume a stream with <c>Last-Event-ID</c>
/// (SEP-1699: priming events, polling, replay). Event ids are <c>{sequence}</c> numbers, unique in the process; a
/// reader only replays events of the stream that id belongs to. Streams are dropped with their session.
/// </summary>
internal sealed class InMemorySseEventStreamStore : ISseEventStreamStore
{
    private readonly ConcurrentDictionary<string, EventStream> _eventOwners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentBag<EventStream>> _streamsBySession = new(StringComparer.Ordinal);
    private long _lastEventId;

    public ValueTask<ISseEventStreamWriter> CreateStreamAsync(SseEventStreamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stream = new EventStream(this, options.SessionId, options.StreamId, options.Mode);
        _streamsBySession.GetOrAdd(options.SessionId, _ => []).Add(stream);
        return ValueTask.FromResult<ISseEventStreamWriter>(stream);
    }

    public ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lastEventId);
        ISseEventStreamReader? reader = _eventOwners.TryGetValue(lastEventId, out var stream) && long.TryParse(lastEventId, out var sequence)
            ? new Reader(stream, sequence)
            : null;
        return ValueTask.FromResult(reader);
    }

    /// <summary>Forgets every stream and event of a closed session.</summary>
    public void RemoveSession(string sessionId)
    {
        if (_streamsBySession.TryRemove(sessionId, out var streams))
        {
            foreach (var stream in streams)
            {
                foreach (var id in stream.EventIds)
                {
                    _eventOwners.TryRemove(id, out _);
                }

                stream.Complete();
            }
        }
    }

    private sealed class EventStream(InMemorySseEventStreamStore store, string sessionId, string streamId, SseEventStreamMode mode)
        : ISseEventStreamWriter
    {
        private readonly Lock _lock = new();
        private readonly List<(long Sequence, SseItem<JsonRpcMessage?> Item)> _events = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string SessionId => sessionId;
        public string StreamId => streamId;
        public SseEventStreamMode Mode { get; private set; } = mode;
        public bool IsCompleted { get; private set; }

        public IEnumerable<string> EventIds
        {
            get
            {
                lock (_lock)
                {
                    return [.. _events.Select(e => e.Item.EventId!)];
                }
            }
        }

        public ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                Mode = mode;
                Signal();
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> sseItem, CancellationToken cancellationToken = default)
        {
            if (sseItem.EventId is not null)
            {
                return ValueTask.FromResult(sseItem);
            }

            var sequence = Interlocked.Increment(ref store._lastEventId);
            var item = sseItem with { EventId = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            lock (_lock)
            {
                if (IsCompleted)
                {
                    // The session is gone; nobody can resume this stream any more.
                    return ValueTask.FromResult(item);
                }

                _events.Add((sequence, item));
                store._eventOwners[item.EventId!] = this;
                Signal();
            }

            return ValueTask.FromResult(item);
        }

        public (List<SseItem<JsonRpcMessage?>> Events, long LastSequence, bool Ended, Task Changed) After(long sequence)
        {
            lock (_lock)
            {
                var events = new List<SseItem<JsonRpcMessage?>>();
                var last = sequence;
                foreach (var (seq, item) in _events)
                {
                    if (seq > sequence)
                    {
                        events.Add(item);
                        last = seq;
                    }
                }

                return (events, last, IsCompleted || Mode == SseEventStreamMode.Polling, _changed.Task);
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                IsCompleted = true;
                Signal();
            }
        }

        public ValueTask DisposeAsync()
        {
            Complete();
            return ValueTask.CompletedTask;
        }

        private void Signal()
        {
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }
    }

    private sealed class Reader(EventStream stream, long afterSequence) : ISseEventStreamReader
    {
        public string SessionId => stream.SessionId;
        public string StreamId => stream.StreamId;

        public async IAsyncEnumerable<SseItem<JsonRpcMessage?>> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var position = afterSequence;
            while (true)
            {
                var (events, last, ended, changed) = stream.After(position);
                foreach (var item in events)
                {
                    yield return item;
                }

                position = last;

                // Polling mode: replay what is there and end; streaming mode: follow until the writer is done.
                if (ended)
                {
                    yield break;
                }

                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
