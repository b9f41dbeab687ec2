using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.Aggregation;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Upstreams;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Sessions;

/// <summary>
/// One client session, on a passthrough endpoint (one member) or a virtual server (many). Each member is reached
/// through the session's own upstream session (per-client mode) so that sampling, elicitation, roots, progress and
/// logging reach exactly the client that caused them, or through the server's shared link (shared mode).
/// </summary>
internal sealed class DownstreamSession : IUpstreamLinkOwner, IViewMembers, IAsyncDisposable
{
    /// <summary>Messages kept for a client that has no stream open yet; older ones are dropped beyond this.</summary>
    private const int BacklogLimit = 1000;

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, PendingClientRequest> _toClient = new();
    private readonly ConcurrentQueue<JsonRpcMessage> _backlog = new();
    private readonly Lock _standaloneLock = new();
    private readonly ConcurrentDictionary<int, ResumableStream> _streams = new();
    private readonly CancellationTokenSource _closing = new();
    private MessageStream? _standalone;
    private ResumableStream? _standaloneLog;
    private int _nextStreamId;
    private long _nextClientRequestId;
    private int _openStreams;
    private int _disposed;

    private readonly GatewayOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly UpstreamConnector _connector;
    private readonly SharedLinks _shared;
    private readonly ConcurrentDictionary<string, UpstreamLink> _links = new(StringComparer.Ordinal);
    private readonly ViewSession? _view;
    private ClientHello _hello = new([], PreferModern: false);

    public DownstreamSession(string id, SessionTarget target, GatewayOptions options, bool legacySse, UpstreamConnector connector, SharedLinks shared, LastKnownLists lastKnown, ILogger logger, TimeProvider time, GatewayMetrics metrics, Guardrails.ToolPins? pins = null)
    {
        _metrics = metrics;
        Id = id;
        Target = target;
        IsLegacySse = legacySse;
        _options = options;
        _connector = connector;
        _shared = shared;
        _logger = logger;
        _time = time;
        ResumeWindow = options.ResumeWindow;
        LastActivity = time.GetUtcNow();
        if (target is ViewTarget)
        {
            _view = new ViewSession(this, options, lastKnown, logger, pins);
        }
    }

    public string Id { get; }

    /// <summary>The view's catalog when the target is a view; null for passthrough.</summary>
    public ViewSession? View => _view;
    /// <summary>The <see cref="Security.GatewayPrincipal.Id"/> that created the session; only it may use the session id.</summary>
    public string PrincipalId { get; init; } = Security.GatewayPrincipal.Anonymous.Id;

    /// <summary>What the session talks to; a view session follows config changes of its view (<see cref="Retarget"/>).</summary>
    public SessionTarget Target { get; private set; }

    VirtualServerConfig IViewMembers.View => ((ViewTarget)Target).View;

    IReadOnlyList<ServerConfig> IViewMembers.Members => ((ViewTarget)Target).Members;

    GuardrailOptions IViewMembers.Guardrails => ((ViewTarget)Target).Guardrails;

    object? IViewMembers.Requester => this;

    /// <summary>The link to one member: this session's own, or the server's shared one (sessionMode: shared).</summary>
    public UpstreamLink LinkFor(ServerConfig member) => member.Sessions == SessionMode.Shared
        ? _links.GetOrAdd(member.Name, _ => _shared.For(member, PrincipalId))
        : _links.GetOrAdd(member.Name, _ => new UpstreamLink(member, _options, _hello, _connector, this, _logger, _time, _metrics) { PrincipalId = PrincipalId });

    /// <summary>The legacy HTTP+SSE transport: every message to the client, answers included, goes down one stream.</summary>
    public bool IsLegacySse { get; }

    /// <summary>The revision agreed with the client.</summary>
    public string? ProtocolVersion { get; private set; }

    public JsonObject ClientCapabilities { get; private set; } = [];

    public bool IsInitialized => ProtocolVersion is not null;

    public DateTimeOffset LastActivity { get; private set; }

    /// <summary>How long a dropped response stream waits for the client to resume it before its upstream work is cancelled.</summary>
    public TimeSpan ResumeWindow { get; }

    /// <summary>
    /// Streamable HTTP sessions on 2025-11-25 or later get event ids, a priming event and <c>Last-Event-ID</c> resumption;
    /// older clients may not expect events without data, so they keep plain streams.
    /// </summary>
    public bool IsResumable => !IsLegacySse && string.CompareOrdinal(ProtocolVersion, ProtocolVersions.V2025_11_25) >= 0;

    /// <summary>The standalone stream's event log of a resumable session.</summary>
    public ResumableStream? StandaloneLog => _standaloneLog;

    public bool HasOpenStream => Volatile.Read(ref _openStreams) > 0;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The one SSE connection of a legacy-transport session.</summary>
    public MessageStream? LegacyStream => IsLegacySse ? Volatile.Read(ref _standalone) : null;

    public void Touch() => LastActivity = _time.GetUtcNow();

    /// <summary>
    /// Answers the client's <c>initialize</c> in the client's revision. Passthrough: opens the upstream session with the
    /// client's own hello and answers with the upstream's result. View: connects every member and answers as the gateway.
    /// </summary>
    public async Task<JsonRpcMessage> InitializeAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var parameters = request.Params as JsonObject ?? [];
        ClientCapabilities = parameters["capabilities"] as JsonObject ?? [];

        // Upstream sessions are opened with the client's own hello (capabilities, clientInfo, anything else it sent).
        _hello = new ClientHello((JsonObject)parameters.DeepClone(), PreferModern: false);
        var version = ProtocolVersions.NegotiateStateful((string?)parameters["protocolVersion"]);
        JsonObject result;
        if (_view is not null)
        {
            result = await _view.InitializeResultAsync(version, cancellationToken);
        }
        else
        {
            var server = ((ServerTarget)Target).Server;
            var link = LinkFor(server);
            try
            {
                await link.GetSessionAsync(cancellationToken);
            }
            catch (UpstreamException ex)
            {
                return GatewayErrors.From(request.Id, ex);
            }

            result = (JsonObject)link.Handshake!.InitializeResult.DeepClone();
            result["protocolVersion"] = version;
        }

        ProtocolVersion = version;
        Touch();
        if (IsResumable)
        {
            _standaloneLog = new ResumableStream(0, null, null);
            _streams[0] = _standaloneLog;
        }

        return new JsonRpcResponse { Id = request.Id, Result = result };
    }

    /// <summary>Forwards a request. Answers <c>ping</c> itself.</summary>
    /// <param name="access">What the caller may see of a view (authorization); passthrough is checked by the filter.</param>
    public async Task<JsonRpcMessage> ForwardRequestAsync(JsonRpcRequest request, IClientChannel? channel, CancellationToken cancellationToken, RequestTelemetry? telemetry = null, Aggregation.ICatalogAccess? access = null)
    {
        Touch();
        if (request.Method == McpMethods.Ping)
        {
            return new JsonRpcResponse { Id = request.Id, Result = new JsonObject() };
        }

        var answer = _view is not null
            ? await _view.HandleAsync(request, channel, cancellationToken, telemetry, access)
            : await LinkFor(((ServerTarget)Target).Server).ForwardAsync(request, channel, cancellationToken, this, telemetry);
        Touch();
        return answer;
    }

    /// <summary>A client notification or a client's answer to a server→client request.</summary>
    public async Task AcceptFromClientAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        Touch();
        switch (message)
        {
            case JsonRpcNotification { Method: McpMethods.Initialized }:
                // The gateway completed the upstream handshake itself.
                return;
            case JsonRpcNotification notification:
                // A cancellation reaches only the link that carries the request; other notifications go to every member.
                await Task.WhenAll(_links.Values.Select(link => link.ForwardNotificationAsync(notification, cancellationToken, this)));
                return;
            case JsonRpcMessageWithId { Id.Id: long id } answer when message is JsonRpcResponse or JsonRpcError:
                if (_toClient.TryRemove(id, out var pending))
                {
                    JsonRpcMessage upstreamAnswer = answer is JsonRpcResponse response
                        ? new JsonRpcResponse { Id = pending.UpstreamId, Result = response.Result }
                        : new JsonRpcError { Id = pending.UpstreamId, Error = ((JsonRpcError)answer).Error };
                    try
                    {
                        await pending.Session.SendAsync(upstreamAnswer, cancellationToken);
                    }
                    catch (UpstreamException)
                    {
                        // The upstream that asked is gone; its restart will not expect this answer.
                    }
                }
                else
                {
                    GatewayLog.UnmatchedClientResponse(_logger, Id, id);
                }

                return;
            default:
                GatewayLog.UnmatchedClientResponse(_logger, Id, -1);
                return;
        }
    }

    /// <summary>
    /// The view's configuration changed: use the new one (filters, overrides, members) from the next request on, and,
    /// when <paramref name="catalogChanged"/>, tell the client its lists changed. Links to members that left stay until
    /// the session ends unless <see cref="DropLinksAsync"/> closes them.
    /// </summary>
    public void Retarget(ViewTarget target, bool catalogChanged = true)
    {
        if (_view is null || IsDisposed)
        {
            return;
        }

        Target = target;
        if (!catalogChanged)
        {
            return;
        }

        _view.InvalidateAll();
        if (IsInitialized)
        {
            foreach (var kind in (CatalogKind[])[CatalogKind.Tools, CatalogKind.Prompts, CatalogKind.Resources])
            {
                Deliver(new JsonRpcNotification { Method = kind.ListChangedNotification() }, preferred: null);
            }
        }
    }

    /// <summary>A withheld tool of <paramref name="server"/> was approved: a client that reaches the server hears its tools changed.</summary>
    public void ToolsReleased(string server)
    {
        var reaches = Target switch
        {
            ServerTarget passthrough => passthrough.Server.Name == server,
            ViewTarget view => view.Members.Any(m => m.Name == server),
            _ => false,
        };
        if (reaches && IsInitialized && !IsDisposed)
        {
            Deliver(new JsonRpcNotification { Method = CatalogKind.Tools.ListChangedNotification() }, preferred: null);
        }
    }

    /// <summary>
    /// Closes this session's own links to <paramref name="servers"/> (removed, or reconnecting with new settings); a view
    /// opens a new link on its next use of the member. Shared links are left to <see cref="SharedLinks"/>.
    /// </summary>
    public Task DropLinksAsync(IEnumerable<string> servers)
    {
        // Removed at once, so requests from now on open new links; closing the old ones may take a while.
        var dropped = new List<Task>();
        foreach (var name in servers)
        {
            if (_links.TryRemove(name, out var link) && !_shared.Owns(link))
            {
                dropped.Add(link.DisposeAsync().AsTask());
            }
        }

        return Task.WhenAll(dropped);
    }

    /// <summary>Opens the event log of one request's response stream; its upstream work ends with the session at the latest.</summary>
    public ResumableStream OpenRequestStream(RequestId requestId)
    {
        var stream = new ResumableStream(Interlocked.Increment(ref _nextStreamId), requestId, CancellationTokenSource.CreateLinkedTokenSource(_closing.Token));
        _streams[stream.Id] = stream;
        return stream;
    }

    public ResumableStream? FindStream(int streamId) => _streams.GetValueOrDefault(streamId);

    /// <summary>Forgets answered streams nobody resumed within the window.</summary>
    public void TrimStreams(DateTimeOffset now)
    {
        foreach (var (id, stream) in _streams)
        {
            if (id != 0 && stream.IsCompleted && !stream.HasReader && now - stream.CompletedAt > ResumeWindow && _streams.TryRemove(id, out _))
            {
                stream.Forwarding?.Dispose();
            }
        }
    }

    /// <summary>A client dropped a response stream before its answer: cancel the upstream work unless it resumes in time.</summary>
    public async Task CancelUnlessResumedAsync(ResumableStream stream, int readerGeneration)
    {
        try
        {
            await Task.Delay(ResumeWindow, _time, _closing.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!stream.IsCompleted && stream.IsAbandonedSince(readerGeneration))
        {
            await stream.Forwarding!.CancelAsync();
        }
    }

    /// <summary>Attaches the stream that carries server-initiated messages (GET stream, or the legacy SSE connection).</summary>
    public bool TryAttachStandalone(MessageStream stream)
    {
        lock (_standaloneLock)
        {
            if (_standalone is not null)
            {
                return false;
            }

            _standalone = stream;
            while (_backlog.TryDequeue(out var queued))
            {
                stream.TryWrite(queued);
            }

            return true;
        }
    }

    public void DetachStandalone(MessageStream stream)
    {
        lock (_standaloneLock)
        {
            if (ReferenceEquals(_standalone, stream))
            {
                _standalone = null;
            }
        }
    }

    public void StreamOpened() => Interlocked.Increment(ref _openStreams);

    public void StreamClosed()
    {
        Interlocked.Decrement(ref _openStreams);
        Touch();
    }

    void IUpstreamLinkOwner.OnUpstreamRequest(UpstreamLink link, UpstreamSession session, JsonRpcRequest request)
    {
        if (!ClientDeclares(request.Method))
        {
            _ = RefuseAsync(session, request, $"the client did not declare the capability '{request.Method}' needs");
            return;
        }

        var id = Interlocked.Increment(ref _nextClientRequestId);
        _toClient[id] = new PendingClientRequest(session, request.Id);
        Deliver(new JsonRpcRequest { Id = new RequestId(id), Method = request.Method, Params = request.Params }, link.MostRecentChannel());
    }

    void IUpstreamLinkOwner.OnUpstreamNotification(UpstreamLink link, JsonRpcNotification notification)
    {
        if (notification.Method == McpMethods.Cancelled && McpWire.TryReadRequestId(notification.Params?["requestId"], out var cancelled))
        {
            // The upstream withdrew one of its own requests: tell the client under the id the client saw.
            foreach (var (clientId, pending) in _toClient)
            {
                if (pending.UpstreamId == cancelled && _toClient.TryRemove(clientId, out _))
                {
                    var forwarded = (JsonObject)notification.Params!.DeepClone();
                    forwarded["requestId"] = clientId;
                    Deliver(new JsonRpcNotification { Method = notification.Method, Params = forwarded }, link.MostRecentChannel());
                    return;
                }
            }

            return;
        }

        if (_view is not null && CatalogKinds.FromListChanged(notification.Method) is { } kind)
        {
            _view.Invalidate(link.Server.Name, kind);
        }

        Deliver(notification, preferred: null);
    }

    private bool ClientDeclares(string method) => method switch
    {
        McpMethods.SamplingCreateMessage => ClientCapabilities.ContainsKey("sampling"),
        McpMethods.ElicitationCreate => ClientCapabilities.ContainsKey("elicitation"),
        McpMethods.RootsList => ClientCapabilities.ContainsKey("roots"),
        _ => true,
    };

    private static async Task RefuseAsync(UpstreamSession session, JsonRpcRequest request, string reason)
    {
        try
        {
            await session.SendAsync(GatewayErrors.Create(request.Id, GatewayErrors.MethodNotFound, reason));
        }
        catch (UpstreamException)
        {
        }
    }

    /// <summary>In the legacy transport everything goes down the one stream; otherwise prefer the related request's stream.</summary>
    private void Deliver(JsonRpcMessage message, IClientChannel? preferred)
    {
        if (!IsLegacySse && preferred?.TryWrite(message) == true)
        {
            return;
        }

        if (_standaloneLog?.TryWrite(message) == true)
        {
            return;
        }

        lock (_standaloneLock)
        {
            if (_standalone?.TryWrite(message) == true)
            {
                return;
            }

            _backlog.Enqueue(message);
            while (_backlog.Count > BacklogLimit && _backlog.TryDequeue(out _))
            {
                GatewayLog.BacklogOverflow(_logger, Id);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_standaloneLock)
        {
            _standalone?.Complete();
            _standalone = null;
        }

        await _closing.CancelAsync();
        var now = _time.GetUtcNow();
        foreach (var (_, stream) in _streams)
        {
            stream.Complete(now);
        }

        // Shared links belong to the gateway, not to this session.
        foreach (var (name, link) in _links)
        {
            if (!_shared.Owns(link))
            {
                await link.DisposeAsync();
            }
        }
    }

    private sealed record PendingClientRequest(UpstreamSession Session, RequestId UpstreamId);
}
