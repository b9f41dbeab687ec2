using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Observability;
using McpGateway.Protocol;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.Upstreams;

/// <summary>Receives what an upstream sends on its own initiative.</summary>
internal interface IUpstreamListener
{
    /// <summary>A server→client request (sampling, elicitation, roots, …). Answer with <see cref="UpstreamSession.SendAsync"/>.</summary>
    void OnRequest(UpstreamSession session, JsonRpcRequest request);

    void OnNotification(UpstreamSession session, JsonRpcNotification notification);
}

/// <summary>
/// One live JSON-RPC connection to an upstream MCP server: request ids are the gateway's own (numbers), responses are
/// matched back, and the connection's end fails every request still waiting with an error naming the server.
/// </summary>
internal sealed class UpstreamSession : IAsyncDisposable
{
    private readonly ITransport _transport;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonRpcMessage>> _pending = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private long _nextId;
    private int _disposed;

    public UpstreamSession(string serverName, ITransport transport, IUpstreamListener listener, ILogger logger)
    {
        ServerName = serverName;
        _transport = transport;
        Listener = listener;
        _logger = logger;
        _ = DetachedTask.Run(ReadLoopAsync);
    }

    public string ServerName { get; }

    public IUpstreamListener Listener { get; }

    /// <summary>Completes when the connection has ended, for whatever reason.</summary>
    public Task Completion => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Why the connection ended (for error messages).</summary>
    public string? CloseReason { get; private set; }

    /// <summary>The upstream said the session no longer exists (HTTP 404): a new one may be made at once.</summary>
    public bool Expired { get; private set; }

    /// <summary>True when the gateway ended the connection itself.</summary>
    public bool ClosedByGateway => Volatile.Read(ref _disposed) != 0;

    /// <summary>Sends a request and waits for its answer: a <see cref="JsonRpcResponse"/> or <see cref="JsonRpcError"/> carrying the gateway's upstream id.</summary>
    /// <param name="onSent">Told the upstream id before the request leaves, so a caller can route related traffic.</param>
    /// <param name="deadline">When set, replaces <paramref name="timeout"/>: a timeout that progress can extend.</param>
    public async Task<JsonRpcMessage> SendRequestAsync(string method, JsonNode? parameters, TimeSpan timeout, Action<long>? onSent, CancellationToken cancellationToken, RequestDeadline? deadline = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var requestId = new RequestId(id);

        // Completed inline by whoever has the answer (the read loop or the HTTP response), so the forwarding code runs on
        // without a thread-pool hop; nothing that completes it holds a lock.
        var answer = new TaskCompletionSource<JsonRpcMessage>();
        _pending[id] = answer;
        var started = Stopwatch.GetTimestamp();
        CancellationTokenSource? abandon = null;
        try
        {
            if (IsClosed)
            {
                return GatewayErrors.Unavailable(requestId, ServerName, CloseReason ?? "connection closed");
            }

            onSent?.Invoke(id);
            var request = new JsonRpcRequest { Id = requestId, Method = method, Params = parameters };
            Task sending;
            if (_transport is IRequestAnswerTransport direct)
            {
                // The HTTP request ends when the requester gives up, not only when the connection closes.
                abandon = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
                sending = SendDirectAsync(direct, request, answer, abandon.Token);
            }
            else
            {
                sending = SendObservedAsync(request, answer);
            }

            try
            {
                var result = deadline is null ? await answer.Task.WaitAsync(timeout, cancellationToken) : await WaitAsync(answer.Task, deadline, cancellationToken);

                // The SDK's legacy transport records the session id only when the send completes, which can be just after
                // the answer arrived; the next message must not overtake it. (Never throws: failures become the answer.)
                if (!sending.IsCompleted && abandon is null)
                {
                    await sending.WaitAsync(timeout - Stopwatch.GetElapsedTime(started), cancellationToken);
                }

                return result;
            }
            catch (TimeoutException)
            {
                var waited = deadline?.Elapsed ?? timeout;
                _ = CancelAsync(id, $"timed out after {waited.TotalSeconds:0.###} s");
                return GatewayErrors.Timeout(requestId, ServerName, method, waited);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _ = CancelAsync(id, "the client went away or cancelled");
                throw;
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
            if (abandon is not null)
            {
                // After an answer this is a no-op for the finished HTTP exchange; after a timeout or cancellation it ends it.
                abandon.Cancel();
                abandon.Dispose();
            }
        }
    }

    private static async Task<JsonRpcMessage> WaitAsync(Task<JsonRpcMessage> answer, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await answer.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException();
        }
    }

    /// <summary>Sends a notification or a response (to a server→client request).</summary>
    public async Task SendAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            throw new UpstreamException(ServerName, CloseReason ?? "connection closed");
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            await _transport.SendMessageAsync(message, linked.Token);
        }
        catch (Exception ex) when (ex is not UpstreamException and not OperationCanceledException)
        {
            throw new UpstreamException(ServerName, Describe(ex));
        }
    }

    /// <summary>Tells the upstream to stop working on one of the gateway's requests.</summary>
    public async Task CancelAsync(long upstreamId, string reason)
    {
        try
        {
            await SendAsync(new JsonRpcNotification
            {
                Method = McpMethods.Cancelled,
                Params = new JsonObject { ["requestId"] = upstreamId, ["reason"] = reason },
            });
            GatewayLog.UpstreamCancelSent(_logger, ServerName, upstreamId, reason);
        }
        catch (Exception ex) when (ex is UpstreamException or OperationCanceledException)
        {
            // Nothing to cancel on a connection that is gone.
        }
    }

    /// <summary>Stops waiting for an answer the requester no longer wants (it cancelled); the request ends with <paramref name="answer"/>.</summary>
    public void Abandon(long upstreamId, JsonRpcMessage answer)
    {
        if (_pending.TryGetValue(upstreamId, out var waiting))
        {
            waiting.TrySetResult(answer);
        }
    }

    private async Task SendObservedAsync(JsonRpcRequest request, TaskCompletionSource<JsonRpcMessage> answer)
    {
        try
        {
            // For the SDK's transports this returns only after the whole response was read, so it is never awaited inline.
            await _transport.SendMessageAsync(request, _closing.Token);
        }
        catch (Exception ex)
        {
            FailRequest(request, answer, ex);
        }
    }

    private void FailRequest(JsonRpcRequest request, TaskCompletionSource<JsonRpcMessage> answer, Exception ex)
    {
        if (ex is OperationCanceledException && answer.Task.IsCompleted)
        {
            // The requester gave up first; nobody waits for this.
            return;
        }

        if (ex is ClientTransportClosedException || IsSessionNotFound(ex))
        {
            Expired = Expired || IsSessionNotFound(ex);
        }

        var error = ex is McpProtocolException protocolError
            ? GatewayErrors.Create(request.Id, (int)protocolError.ErrorCode, protocolError.Message)
            : GatewayErrors.Unavailable(request.Id, ServerName, Describe(ex));
        if (ex is HttpRequestException { StatusCode: { } status } && error.Error.Data is System.Text.Json.Nodes.JsonObject data)
        {
            // The traffic policy tells a refusal (4xx: retrying will not help) from an outage.
            data["httpStatus"] = (int)status;
        }

        answer.TrySetResult(error);
    }

    private async Task SendDirectAsync(IRequestAnswerTransport transport, JsonRpcRequest request, TaskCompletionSource<JsonRpcMessage> answer, CancellationToken cancellationToken)
    {
        try
        {
            // Null: the answer comes through the message reader (legacy fallback, or it was sent on another stream).
            if (await transport.SendRequestAsync(request, cancellationToken) is { } result)
            {
                answer.TrySetResult(result);
            }
        }
        catch (Exception ex)
        {
            FailRequest(request, answer, ex);
        }
    }

    private async Task ReadLoopAsync()
    {
        string reason = "connection closed";
        try
        {
            await foreach (var message in _transport.MessageReader.ReadAllAsync())
            {
                Dispatch(message);
            }

            await _transport.MessageReader.Completion;
        }
        catch (Exception ex)
        {
            if (ex is ClientTransportClosedException { Details: HttpClientCompletionDetails { HttpStatusCode: HttpStatusCode.NotFound } })
            {
                Expired = true;
                reason = "the upstream session expired";
            }
            else
            {
                reason = Describe(ex);
            }
        }

        CloseReason = ClosedByGateway ? "the gateway closed the connection" : reason;
        foreach (var (id, answer) in _pending)
        {
            answer.TrySetResult(GatewayErrors.Unavailable(new RequestId(id), ServerName, CloseReason));
        }

        _closed.TrySetResult();
    }

    private void Dispatch(JsonRpcMessage message)
    {
        switch (message)
        {
            case JsonRpcMessageWithId { Id.Id: long id } answer when message is JsonRpcResponse or JsonRpcError:
                if (_pending.TryGetValue(id, out var waiting))
                {
                    waiting.TrySetResult(answer);
                }
                else
                {
                    GatewayLog.UpstreamUnmatchedResponse(_logger, ServerName, id);
                }

                break;
            case JsonRpcRequest { Method: McpMethods.Ping } ping:
                _ = AnswerPingAsync(ping);
                break;
            case JsonRpcRequest request:
                Listener.OnRequest(this, request);
                break;
            case JsonRpcNotification notification:
                Listener.OnNotification(this, notification);
                break;
            default:
                GatewayLog.UpstreamUnmatchedResponse(_logger, ServerName, -1);
                break;
        }
    }

    private async Task AnswerPingAsync(JsonRpcRequest ping)
    {
        try
        {
            await SendAsync(new JsonRpcResponse { Id = ping.Id, Result = new JsonObject() });
        }
        catch (Exception ex) when (ex is UpstreamException or OperationCanceledException)
        {
        }
    }

    private static bool IsSessionNotFound(Exception ex) =>
        ex is HttpRequestException { StatusCode: HttpStatusCode.NotFound } ||
        ex is ClientTransportClosedException { Details: HttpClientCompletionDetails { HttpStatusCode: HttpStatusCode.NotFound } };

    internal static string Describe(Exception ex) => ex switch
    {
        UpstreamException upstream => upstream.Reason,
        ClientTransportClosedException { Details: HttpClientCompletionDetails { HttpStatusCode: { } status } } => $"HTTP {(int)status} {status}",
        ClientTransportClosedException closed when closed.Details.Exception is { } inner => Describe(inner),
        HttpRequestException { StatusCode: { } status } http => $"HTTP {(int)status} {status}: {FirstLine(http.Message)}",
        HttpRequestException http => FirstLine(http.InnerException?.Message ?? http.Message),
        _ => FirstLine(ex.Message),
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end > 0 ? text[..end] : text;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync();
        try
        {
            await _transport.DisposeAsync();
        }
        catch (Exception ex)
        {
            GatewayLog.UpstreamDisposeFailed(_logger, ServerName, ex);
        }

        await _closed.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closing.Dispose();
    }
}
