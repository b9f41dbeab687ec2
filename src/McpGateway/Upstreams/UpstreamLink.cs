using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Upstreams;

/// <summary>A place a message for the downstream client can be written to (a POST's response stream, a GET stream, an SSE connection).</summary>
internal interface IClientChannel
{
    bool TryWrite(JsonRpcMessage message);
}

/// <summary>Who owns a link: told about upstream traffic that is not the answer to one of its requests.</summary>
internal interface IUpstreamLinkOwner
{
    void OnUpstreamRequest(UpstreamLink link, UpstreamSession session, JsonRpcRequest request);

    void OnUpstreamNotification(UpstreamLink link, JsonRpcNotification notification);
}

/// <summary>
/// The bond between one downstream owner (a client session, or the shared stateless pool) and one upstream server.
/// It connects lazily, performs the handshake in whichever revision the upstream speaks, restarts a crashed upstream
/// with capped exponential backoff, re-opens an expired HTTP session once, and maps request ids and progress tokens.
/// </summary>
internal sealed class UpstreamLink : IUpstreamListener, IAsyncDisposable
{
    private readonly UpstreamConnector _connector;
    private readonly IUpstreamLinkOwner _owner;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly ConcurrentDictionary<long, InFlight> _byUpstreamId = new();
    // Keyed by requester too: on a shared link, two clients may both use id 1.
    private readonly ConcurrentDictionary<(object? Requester, RequestId Id), InFlight> _byDownstreamId = new();
    private readonly ConcurrentDictionary<long, InFlight> _byProgressToken = new();
    private readonly CancellationTokenSource _disposing = new();
    private UpstreamSession? _current;

    // Which of the server's `urls` the current session is on (-1: a single endpoint); a session stays there until it fails.
    private int _endpoint = -1;
    private long _nextProgressToken;
    private int _consecutiveFailures;
    private DateTimeOffset _lastFailureAt;
    private DateTimeOffset _connectedAt;
    private int _disposed;

    public UpstreamLink(ServerConfig server, GatewayOptions options, ClientHello hello, UpstreamConnector connector, IUpstreamLinkOwner owner, ILogger logger, TimeProvider time, GatewayMetrics metrics)
    {
        _metrics = metrics;
        Server = server;
        RequestTimeout = server.RequestTimeout ?? options.RequestTimeout;
        ConnectTimeout = server.ConnectTimeout ?? options.ConnectTimeout;
        Hello = hello;
        _connector = connector;
        _owner = owner;
        _logger = logger;
        _time = time;
    }

    public ServerConfig Server { get; }

    /// <summary>
    /// Whose link this is, for servers with <c>auth: { type: perPrincipal }</c>: that principal's stored credential goes
    /// upstream. Null for the gateway's own links (health checks, admin listings).
    /// </summary>
    public string? PrincipalId { get; init; }

    /// <summary>
    /// Always connect to this one of the server's <c>urls</c> (a health probe, or a stateless link the balancer chose
    /// per call); no failover to the others. Null: the balancer chooses at each connect.
    /// </summary>
    public int? PinnedEndpoint { get; init; }

    /// <summary>Which of a stdio server's shared <c>replicas</c> this link is (0 for the only one).</summary>
    public int Replica { get; init; }

    /// <summary>Replayed to the upstream on every (re)connect; set before the first connect.</summary>
    public ClientHello Hello { get; set; }

    public TimeSpan RequestTimeout { get; }

    public TimeSpan ConnectTimeout { get; }

    /// <summary>The handshake of the current upstream session, once connected.</summary>
    public UpstreamHandshake? Handshake { get; private set; }

    /// <summary>The live upstream session, connecting (or reconnecting after backoff) when there is none.</summary>
    /// <param name="waitForBackoff">False where a caller must not wait (merging many members' lists): fail at once instead.</param>
    public async Task<UpstreamSession> GetSessionAsync(CancellationToken cancellationToken, bool waitForBackoff = true)
    {
        var current = _current;
        if (current is { IsClosed: false, Expired: false })
        {
            return current;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            current = _current;
            if (current is { IsClosed: false, Expired: false })
            {
                return current;
            }

            if (current is { Expired: true, IsClosed: false })
            {
                // Known dead (HTTP 404) before its transport noticed: replace it now rather than send into it again.
                await current.DisposeAsync();
            }

            var delay = BackoffRemaining();
            if (delay > TimeSpan.Zero)
            {
                if (!waitForBackoff)
                {
                    throw new UpstreamException(Server.Name, $"it failed recently; next attempt in {delay.TotalMilliseconds:0} ms");
                }

                await Task.Delay(delay, _time, cancellationToken);
            }

            try
            {
                var session = await ConnectAsync(cancellationToken);
                _current = session;
                _connectedAt = _time.GetUtcNow();
                _ = DetachedTask.Run(() => WatchAsync(session));
                _metrics.ServerReachable(Server.Name);
                return session;
            }
            catch (UpstreamCredentialRequiredException)
            {
                // The caller's to fix, not the server's: no backoff, so the call right after storing one connects.
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RecordFailure();
                _metrics.ServerUnreachable(Server.Name);
                throw ex as UpstreamException ?? new UpstreamException(Server.Name, UpstreamSession.Describe(ex));
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>
    /// Forwards one client request and returns the answer carrying the client's id. Upstream failures come back as
    /// JSON-RPC errors naming the server, never as exceptions; only the client's own cancellation throws.
    /// </summary>
    /// <param name="telemetry">The client request's telemetry, told that this server handled it; null for the gateway's own requests.</param>
    public Task<JsonRpcMessage> ForwardAsync(JsonRpcRequest request, IClientChannel? channel, CancellationToken cancellationToken, object? requester = null, RequestTelemetry? telemetry = null)
    {
        telemetry?.Routed(Server.Name, request.Method == McpMethods.ToolsCall ? _metrics.ToolLabel(Server.Name, request.Params) : null);
        var timeout = TimeoutFor(request);
        return Server.Cache.ListTtl is not null && _connector.Cache is not null && IsList(request.Method)
            ? ForwardCachedListAsync(request, channel, requester, timeout, cancellationToken)
            : ForwardWithPolicyAsync(request, channel, requester, timeout, cancellationToken);
    }

    private async Task<JsonRpcMessage> ForwardCachedListAsync(JsonRpcRequest request, IClientChannel? channel, object? requester, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var cache = _connector.Cache!;

        // Per principal only where the connection itself is (per-principal credentials); lists are the server's otherwise.
        var listKey = ResponseCache.ListKey(request.Method, PrincipalId, McpParams.String(request.Params, "cursor"));
        if (cache.Find(Server, ResponseCache.Lists, listKey) is JsonObject cached)
        {
            return new JsonRpcResponse { Id = request.Id, Result = cached };
        }

        var answer = await ForwardWithPolicyAsync(request, channel, requester, timeout, cancellationToken);
        cache.Keep(Server, ResponseCache.Lists, listKey, answer, Server.Cache.ListTtl!.Value);
        return answer;
    }

    private static bool IsList(string method) =>
        method is McpMethods.ToolsList or McpMethods.PromptsList or McpMethods.ResourcesList or McpMethods.ResourceTemplatesList;

    private async Task<JsonRpcMessage> ForwardWithPolicyAsync(JsonRpcRequest request, IClientChannel? channel, object? requester, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_connector.Traffic?.For(Server) is not { } traffic)
        {
            return await ForwardOnceAsync(request, channel, requester, timeout, cancellationToken);
        }

        var answer = await traffic.RunAsync(
            request,
            timeout,
            static (state, token) => state.Link.ForwardOnceAsync(state.Request, state.Channel, state.Requester, state.Timeout, token),
            (Link: this, Request: request, Channel: channel, Requester: requester, Timeout: timeout),
            cancellationToken);
        if (request.Method == McpMethods.ToolsList && answer is JsonRpcResponse { Result: JsonObject { } result } && result["tools"] is JsonArray tools)
        {
            traffic.LearnTools(tools);
        }

        return answer;
    }

    /// <summary>The server's timeout for this request: the tool's own (<c>toolTimeouts</c>) for a call, else <see cref="RequestTimeout"/>.</summary>
    private TimeSpan TimeoutFor(JsonRpcRequest request) =>
        request.Method == McpMethods.ToolsCall && Server.Traffic.ToolTimeouts.Count > 0 && McpParams.String(request.Params, "name") is { } tool
            ? Server.Traffic.TimeoutFor(tool) ?? RequestTimeout
            : RequestTimeout;

    private async Task<JsonRpcMessage> ForwardOnceAsync(JsonRpcRequest request, IClientChannel? channel, object? requester, TimeSpan timeout, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            UpstreamSession session;
            try
            {
                session = await GetSessionAsync(cancellationToken);
            }
            catch (UpstreamException ex)
            {
                return GatewayErrors.From(request.Id, ex);
            }

            var parameters = PrepareParams(request.Params);
            using var activity = StartUpstreamActivity(request);
            if (activity is { Recorded: true })
            {
                // Only a sampled span is worth telling the upstream about; otherwise the payload stays as the client sent it.
                parameters = TraceContextPropagation.InjectMeta(parameters, activity);
            }

            var inFlight = new InFlight(request.Id, channel, session);
            inFlight.OriginalProgressToken = SwapProgressToken(parameters, inFlight);
            using var deadline = Server.Traffic.MaxRequestTimeout is { } max && inFlight.ProgressToken is not null ? new RequestDeadline(timeout, max, _time) : null;
            inFlight.Deadline = deadline;
            JsonRpcMessage answer;
            var sentAt = _time.GetTimestamp();
            var endpoint = _endpoint;
            var balancer = endpoint >= 0 ? _connector.Traffic?.For(Server).Balancer : null;
            balancer?.Started(endpoint);
            try
            {
                // Activity.Current is the upstream span here, so an HTTP transport's request carries it as traceparent.
                answer = await session.SendRequestAsync(request.Method, parameters, timeout, upstreamId =>
                {
                    activity?.SetTag("jsonrpc.request.id", upstreamId);
                    inFlight.UpstreamId = upstreamId;
                    _byUpstreamId[upstreamId] = inFlight;
                    _byDownstreamId[(requester, request.Id)] = inFlight;
                }, cancellationToken, deadline);
            }
            finally
            {
                balancer?.Finished(endpoint);
                _byUpstreamId.TryRemove(inFlight.UpstreamId, out _);
                _byDownstreamId.TryRemove(new KeyValuePair<(object?, RequestId), InFlight>((requester, request.Id), inFlight));
                if (inFlight.ProgressToken is { } token)
                {
                    _byProgressToken.TryRemove(token, out _);
                }
            }

            _metrics.RecordServerLatency(Server.Name, request.Method, _time.GetElapsedTime(sentAt).TotalSeconds);
            ObserveAnswer(request.Method, answer, activity);
            if (balancer is not null && ServerTraffic.IsOutage(answer) && !cancellationToken.IsCancellationRequested)
            {
                // The endpoint did not answer: take it out and leave the session, so the next request (or a retry) goes elsewhere.
                balancer.Failed(endpoint, (answer as JsonRpcError)?.Error.Message ?? "no answer");
                await DropSessionAsync(session);
            }

            // An expired HTTP session never saw the request: open a new one and send it again, once.
            if (answer is JsonRpcError && session.Expired && attempt == 0 && !cancellationToken.IsCancellationRequested)
            {
                GatewayLog.UpstreamSessionExpired(_logger, Server.Name);
                RestoreProgressToken(parameters, inFlight);
                continue;
            }

            return answer switch
            {
                JsonRpcResponse response => new JsonRpcResponse { Id = request.Id, Result = response.Result },
                JsonRpcError error => new JsonRpcError { Id = request.Id, Error = error.Error },
                _ => GatewayErrors.Create(request.Id, GatewayErrors.InternalError, "unexpected answer"),
            };
        }
    }

    /// <summary>Forwards a client notification (not <c>initialized</c>, which the gateway sends itself).</summary>
    public async Task ForwardNotificationAsync(JsonRpcNotification notification, CancellationToken cancellationToken, object? requester = null)
    {
        var current = _current;
        if (current is not { IsClosed: false })
        {
            return;
        }

        if (notification.Method == McpMethods.Cancelled)
        {
            // The client names its own id; the upstream knows the gateway's.
            if (McpWire.TryReadRequestId(notification.Params?["requestId"], out var downstreamId) &&
                _byDownstreamId.TryGetValue((requester, downstreamId), out var inFlight))
            {
                var reason = (string?)notification.Params?["reason"] ?? "cancelled by the client";
                await inFlight.Session.CancelAsync(inFlight.UpstreamId, reason);

                // The client will ignore any answer; end the request now instead of holding its stream open.
                inFlight.Session.Abandon(inFlight.UpstreamId, GatewayErrors.Create(new RequestId(inFlight.UpstreamId), GatewayErrors.RequestCancelled, $"Request cancelled: {reason}"));
            }

            return;
        }

        try
        {
            await current.SendAsync(new JsonRpcNotification { Method = notification.Method, Params = notification.Params }, cancellationToken);
        }
        catch (UpstreamException)
        {
            // The session is gone; the next request reconnects.
        }
    }

    void IUpstreamListener.OnRequest(UpstreamSession session, JsonRpcRequest request) => _owner.OnUpstreamRequest(this, session, request);

    void IUpstreamListener.OnNotification(UpstreamSession session, JsonRpcNotification notification)
    {
        _connector.Cache?.OnNotification(Server.Name, notification);
        if (notification.Method == McpMethods.Progress && notification.Params is JsonObject progress)
        {
            // Every token the upstream knows is one the gateway issued; one no longer live belongs to a request that
            // ended or was cancelled, and no client may see it (it could even equal a token the client still uses).
            if (progress["progressToken"] is not JsonValue tokenValue || !tokenValue.TryGetValue(out long token) ||
                !_byProgressToken.TryGetValue(token, out var inFlight))
            {
                GatewayLog.StaleProgressDropped(_logger, Server.Name);
                return;
            }

            inFlight.Deadline?.Extend();
            progress["progressToken"] = inFlight.OriginalProgressToken?.DeepClone();
            if (inFlight.Channel?.TryWrite(notification) != true)
            {
                _owner.OnUpstreamNotification(this, notification);
            }

            return;
        }

        _owner.OnUpstreamNotification(this, notification);
    }

    /// <summary>The client channel of the request that is currently waiting on this link, most recent first.</summary>
    public IClientChannel? MostRecentChannel()
    {
        InFlight? latest = null;
        foreach (var (_, inFlight) in _byUpstreamId)
        {
            if (inFlight.Channel is not null && (latest is null || inFlight.UpstreamId > latest.UpstreamId))
            {
                latest = inFlight;
            }
        }

        return latest?.Channel;
    }

    /// <summary>The client span of one upstream call, a child of the client request's span; null when nobody listens.</summary>
    private Activity? StartUpstreamActivity(JsonRpcRequest request)
    {
        if (!GatewayTelemetry.Source.HasListeners())
        {
            return null;
        }

        var activity = GatewayTelemetry.Source.StartActivity(request.Method + " " + Server.Name, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("mcp.method.name", request.Method);
            activity.SetTag("gateway.server", Server.Name);
            activity.SetTag("network.transport", Server.Transport == ServerTransport.Stdio ? "pipe" : "tcp");
            activity.SetTag("mcp.protocol.version", Handshake?.ProtocolVersion);
            if (request.Method == McpMethods.ToolsCall && McpParams.String(request.Params, "name") is { } tool)
            {
                activity.SetTag("gen_ai.tool.name", tool);
            }
        }

        return activity;
    }

    /// <summary>Marks a failed upstream call on its span, and learns tool names for the bounded tool label.</summary>
    private void ObserveAnswer(string method, JsonRpcMessage answer, Activity? activity)
    {
        if (answer is JsonRpcError error)
        {
            if (activity is not null)
            {
                activity.SetTag("error.type", error.Error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture));
                activity.SetStatus(ActivityStatusCode.Error, error.Error.Message);
            }
        }
        else if (method == McpMethods.ToolsList && answer is JsonRpcResponse { Result: JsonObject result } && result["tools"] is JsonArray tools)
        {
            _metrics.LearnTools(Server.Name, tools);
        }
    }

    private JsonNode? PrepareParams(JsonNode? parameters)
    {
        if (Handshake is not { IsModern: true })
        {
            return parameters;
        }

        // A stateless upstream learns who is asking from every request's _meta.
        var obj = parameters as JsonObject ?? [];
        if (obj["_meta"] is not JsonObject meta)
        {
            meta = [];
            obj["_meta"] = meta;
        }

        meta[McpMethods.MetaProtocolVersion] = ProtocolVersions.V2026_07_28;
        if (!meta.ContainsKey(McpMethods.MetaClientCapabilities))
        {
            meta[McpMethods.MetaClientCapabilities] = Hello.Capabilities.DeepClone();
        }

        if (!meta.ContainsKey(McpMethods.MetaClientInfo) && Hello.ClientInfo is { } info)
        {
            meta[McpMethods.MetaClientInfo] = info.DeepClone();
        }

        return obj;
    }

    private JsonNode? SwapProgressToken(JsonNode? parameters, InFlight inFlight)
    {
        if (parameters?["_meta"] is not JsonObject meta || meta["progressToken"] is not { } original)
        {
            return null;
        }

        // Tokens are only unique per client; the gateway's own keep clients of a shared upstream apart.
        var token = Interlocked.Increment(ref _nextProgressToken);
        inFlight.ProgressToken = token;
        _byProgressToken[token] = inFlight;
        meta["progressToken"] = token;
        return original;
    }

    private static void RestoreProgressToken(JsonNode? parameters, InFlight inFlight)
    {
        if (inFlight.OriginalProgressToken is { } original && parameters?["_meta"] is JsonObject meta)
        {
            meta["progressToken"] = original;
        }
    }

    private async Task<UpstreamSession> ConnectAsync(CancellationToken cancellationToken)
    {
        // Transports start long-lived receive loops here; they must not carry the span of the request that happened to connect.
        Activity.Current = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        timeout.CancelAfter(ConnectTimeout);
        UpstreamSession? session = null;
        try
        {
            var balancer = _connector.Traffic?.For(Server).Balancer;
            var endpoint = -1;
            for (var attempt = 1; ; attempt++)
            {
                endpoint = balancer is null ? -1 : PinnedEndpoint ?? balancer.Choose();
                var target = endpoint < 0 ? Server : Server with { Url = balancer!.Endpoints[endpoint].Url };
                try
                {
                    var transport = await _connector.ConnectAsync(target, PrincipalId, ConnectTimeout, timeout.Token);
                    session = new UpstreamSession(Server.Name, transport, this, _logger);
                    Handshake = Hello.PreferModern
                        ? await TryDiscoverAsync(session, timeout.Token) ?? await InitializeAsync(session, timeout.Token)
                        : await InitializeAsync(session, timeout.Token, fallBackToDiscover: true);
                    break;
                }
                catch (Exception ex) when (endpoint >= 0 && ex is not UpstreamCredentialRequiredException && !cancellationToken.IsCancellationRequested)
                {
                    balancer!.Failed(endpoint, ex is OperationCanceledException ? "no answer to the handshake" : UpstreamSession.Describe(ex));
                    if (session is not null)
                    {
                        await session.DisposeAsync();
                        session = null;
                    }

                    // Failover within one connect: each endpoint once, while the connect timeout lasts.
                    if (PinnedEndpoint is not null || attempt >= balancer.Endpoints.Count || timeout.IsCancellationRequested)
                    {
                        throw;
                    }
                }
            }

            if (endpoint >= 0)
            {
                balancer!.Connected(endpoint);
                GatewayLog.EndpointChosen(_logger, Server.Name, balancer.Endpoints[endpoint].Url.ToString());
            }

            _endpoint = endpoint;
            GatewayLog.UpstreamConnected(_logger, Server.Name, Handshake.ProtocolVersion);
            return session;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }

            throw new UpstreamException(Server.Name, $"no answer to the handshake within {ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }

            throw;
        }
    }

    private async Task<UpstreamHandshake> InitializeAsync(UpstreamSession session, CancellationToken cancellationToken, bool fallBackToDiscover = false)
    {
        var parameters = (JsonObject)Hello.InitializeParams.DeepClone();
        parameters["protocolVersion"] = ProtocolVersions.NegotiateStateful(Hello.RequestedVersion);
        var answer = await session.SendRequestAsync(McpMethods.Initialize, parameters, ConnectTimeout, null, cancellationToken);
        if (answer is JsonRpcError error)
        {
            if (fallBackToDiscover && await TryDiscoverAsync(session, cancellationToken) is { } modern)
            {
                return modern;
            }

            throw new UpstreamException(Server.Name, $"initialize failed: {error.Error.Message} ({error.Error.Code})");
        }

        var result = ((JsonRpcResponse)answer).Result as JsonObject
            ?? throw new UpstreamException(Server.Name, "initialize returned no result object");
        var version = (string?)result["protocolVersion"];
        if (!ProtocolVersions.IsStateful(version))
        {
            throw new UpstreamException(Server.Name, $"it answered initialize with protocol version '{version}', which the gateway does not speak ({string.Join(", ", ProtocolVersions.Stateful)})");
        }

        await session.SendAsync(new JsonRpcNotification { Method = McpMethods.Initialized }, cancellationToken);
        return new UpstreamHandshake(version!, IsModern: false, result["capabilities"] as JsonObject ?? [], result, DiscoverResult: null);
    }

    private async Task<UpstreamHandshake?> TryDiscoverAsync(UpstreamSession session, CancellationToken cancellationToken)
    {
        var parameters = new JsonObject
        {
            ["_meta"] = new JsonObject
            {
                [McpMethods.MetaProtocolVersion] = ProtocolVersions.V2026_07_28,
                [McpMethods.MetaClientCapabilities] = Hello.Capabilities.DeepClone(),
                [McpMethods.MetaClientInfo] = Hello.ClientInfo?.DeepClone(),
            },
        };
        var answer = await session.SendRequestAsync(McpMethods.ServerDiscover, parameters, ConnectTimeout, null, cancellationToken);
        if (answer is not JsonRpcResponse { Result: JsonObject result } ||
            result["supportedVersions"] is not JsonArray versions ||
            !versions.Any(v => (string?)v == ProtocolVersions.V2026_07_28))
        {
            return null;
        }

        var serverInfo = (result["_meta"] as JsonObject)?["io.modelcontextprotocol/serverInfo"]?.DeepClone()
            ?? new JsonObject { ["name"] = Server.Name, ["version"] = "unknown" };
        var initializeResult = new JsonObject
        {
            ["protocolVersion"] = ProtocolVersions.V2026_07_28,
            ["capabilities"] = result["capabilities"]?.DeepClone() ?? new JsonObject(),
            ["serverInfo"] = serverInfo,
        };
        if (result["instructions"] is { } instructions)
        {
            initializeResult["instructions"] = instructions.DeepClone();
        }

        return new UpstreamHandshake(ProtocolVersions.V2026_07_28, IsModern: true, result["capabilities"] as JsonObject ?? [], initializeResult, result);
    }

    /// <summary>Watches a session; when it dies on its own, schedules a restart after backoff so notifications resume.</summary>
    private async Task WatchAsync(UpstreamSession session)
    {
        await session.Completion;
        if (session.ClosedByGateway || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (session.Expired)
        {
            return;
        }

        if (_endpoint >= 0 && _connector.Traffic?.For(Server).Balancer is { } balancer)
        {
            // Passive health: the endpoint sits out, and the restart below goes to another one.
            balancer.Failed(_endpoint, session.CloseReason ?? "the session closed");
        }

        RecordFailure();
        _metrics.ServerUnreachable(Server.Name);
        _metrics.UpstreamRestarting(Server.Name);
        var delay = BackoffRemaining();
        GatewayLog.UpstreamRestartScheduled(_logger, Server.Name, session.CloseReason ?? "closed", delay.TotalMilliseconds);
        try
        {
            await Task.Delay(delay, _time, _disposing.Token);
            await GetSessionAsync(_disposing.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or UpstreamException)
        {
            // A failed restart is retried by the next request, after backoff.
        }
    }

    /// <summary>Closes <paramref name="session"/> if it is still the current one; the next request connects anew.</summary>
    private async Task DropSessionAsync(UpstreamSession session)
    {
        await _connectLock.WaitAsync();
        try
        {
            if (!ReferenceEquals(_current, session))
            {
                return;
            }

            _current = null;
        }
        finally
        {
            _connectLock.Release();
        }

        await session.DisposeAsync();
    }

    private void RecordFailure()
    {
        var now = _time.GetUtcNow();

        // A server that stayed up longer than the cap earns a fresh start.
        if (_connectedAt != default && now - _connectedAt > Server.RestartMaxBackoff && _lastFailureAt < _connectedAt)
        {
            _consecutiveFailures = 0;
        }

        _consecutiveFailures++;
        _lastFailureAt = now;
    }

    internal TimeSpan BackoffFor(int failures)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(Server.RestartInitialBackoff.Ticks * factor, Server.RestartMaxBackoff.Ticks));
        return delay;
    }

    private TimeSpan BackoffRemaining()
    {
        if (_consecutiveFailures == 0)
        {
            return TimeSpan.Zero;
        }

        var due = _lastFailureAt + BackoffFor(_consecutiveFailures);
        var remaining = due - _time.GetUtcNow();
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync();
        await _connectLock.WaitAsync();
        try
        {
            if (_current is { } current)
            {
                await current.DisposeAsync();
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private sealed class InFlight(RequestId downstreamId, IClientChannel? channel, UpstreamSession session)
    {
        public RequestId DownstreamId { get; } = downstreamId;

        public IClientChannel? Channel { get; } = channel;

        public UpstreamSession Session { get; } = session;

        public long UpstreamId { get; set; }

        public long? ProgressToken { get; set; }

        public JsonNode? OriginalProgressToken { get; set; }

        /// <summary>The request's timeout when progress may extend it (<c>maxRequestTimeout</c>).</summary>
        public RequestDeadline? Deadline { get; set; }
    }
}
