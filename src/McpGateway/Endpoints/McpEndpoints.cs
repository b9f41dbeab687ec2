using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Policy;
using McpGateway.Protocol;
using McpGateway.Security;
using McpGateway.Sessions;
using McpGateway.Upstreams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Endpoints;

/// <summary>
/// The MCP transports — Streamable HTTP at <c>{prefix}/mcp</c>, legacy HTTP+SSE at <c>{prefix}/sse</c> + <c>{prefix}/message</c> —
/// for three kinds of target: <c>/servers/{name}</c> (one upstream, names and payloads unchanged), <c>/virtual/{name}</c>
/// (a configured view) and the empty prefix (the default view of every enabled server).
/// </summary>
internal sealed class McpEndpoints(
    IGatewayConfigProvider config,
    SessionStore sessions,
    SharedLinks sharedLinks,
    ForwardPipeline pipeline,
    AccessPolicies policies,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    /// <summary>The reconnection delay suggested to clients in the priming event of a resumable stream.</summary>
    private const int RetryMilliseconds = 1000;

    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Endpoints");
    private RouteTargets? _targets;

    private enum TargetKind
    {
        Server,
        View,
        DefaultView,
    }

    public static void Map(IEndpointRouteBuilder routes)
    {
        MapTransports(routes, "/servers/{name}", TargetKind.Server);
        MapTransports(routes, "/virtual/{name}", TargetKind.View);
        MapTransports(routes, string.Empty, TargetKind.DefaultView);
    }

    private static void MapTransports(IEndpointRouteBuilder routes, string prefix, TargetKind kind)
    {
        routes.MapPost(prefix + "/mcp", (HttpContext context, McpEndpoints endpoints) => endpoints.PostAsync(context, kind));
        routes.MapGet(prefix + "/mcp", (HttpContext context, McpEndpoints endpoints) => endpoints.GetAsync(context, kind));
        routes.MapDelete(prefix + "/mcp", (HttpContext context, McpEndpoints endpoints) => endpoints.DeleteAsync(context, kind));
        routes.MapGet(prefix + "/sse", (HttpContext context, McpEndpoints endpoints) => endpoints.OpenLegacyStreamAsync(context, kind));
        routes.MapPost(prefix + "/message", (HttpContext context, McpEndpoints endpoints) => endpoints.PostLegacyMessageAsync(context, kind));
    }

    // ---- Streamable HTTP ----

    private async Task PostAsync(HttpContext context, TargetKind kind)
    {
        var target = await ResolveAsync(context, kind);
        if (target is null)
        {
            return;
        }

        var gateway = config.Current.Gateway;
        if (!RequestGuards.IsJsonContent(context.Request))
        {
            await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json");
            return;
        }

        if (!RequestGuards.Accepts(context.Request, "application/json") && !RequestGuards.Accepts(context.Request, "text/event-stream"))
        {
            await RejectAsync(context, StatusCodes.Status406NotAcceptable, "Accept must include application/json and text/event-stream");
            return;
        }

        var read = await HttpMessages.ReadMessageAsync(context, gateway.MaxRequestBodyBytes);
        if (read.Message is not { } message)
        {
            GatewayLog.RequestRejected(_logger, context.Request.Method, context.Request.Path, read.Status, read.Error!.Error.Message);
            await HttpMessages.WriteJsonAsync(context.Response, read.Error!, read.Status);
            return;
        }

        if (message is JsonRpcRequest { Method: McpMethods.Initialize } initialize)
        {
            await InitializeAsync(context, target, initialize);
            return;
        }

        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (string.IsNullOrEmpty(sessionId))
        {
            await HandleStatelessAsync(context, target, message);
            return;
        }

        var session = sessions.Find(sessionId, target.RouteKey, GatewayPrincipalFeature.Of(context).Id);
        if (session is null)
        {
            await SessionNotFoundAsync(context, message);
            return;
        }

        if (message is JsonRpcRequest request)
        {
            var inbound = InboundRequest.From(context.Request);
            // A resumable answer's event stream starts once the filters have admitted the request, so a refusal can still be a plain 429.
            var admitted = session.IsResumable && RequestGuards.Accepts(context.Request, "text/event-stream") ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            ForwardFunc forward = (stream, cancellationToken) => pipeline.InvokeAsync(new ForwardContext(target, request, stream, session, cancellationToken)
            {
                Inbound = inbound,
                Response = context.Response,
                Admitted = admitted,
            });
            if (admitted is not null)
            {
                await RespondResumableAsync(context, session, request, forward, admitted.Task);
            }
            else
            {
                await RespondAsync(context, request, forward);
            }

            return;
        }

        await session.AcceptFromClientAsync(message, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task InitializeAsync(HttpContext context, SessionTarget target, JsonRpcRequest initialize)
    {
        var session = sessions.Create(target, legacySse: false, GatewayPrincipalFeature.Of(context).Id);
        var answer = await pipeline.InvokeAsync(new ForwardContext(target, initialize, null, session, context.RequestAborted)
        {
            Inbound = InboundRequest.From(context.Request),
            Handler = c => c.Session!.InitializeAsync(c.Request, c.Aborted),
        });
        if (answer is JsonRpcError)
        {
            await sessions.CloseAsync(session, "initialize failed");
        }
        else
        {
            context.Response.Headers[McpHeaders.SessionId] = session.Id;
        }

        await HttpMessages.WriteJsonAsync(context.Response, answer);
    }

    /// <summary>Requests without a session: the stateless 2026-07-28 revision, or a client that forgot the header.</summary>
    private async Task HandleStatelessAsync(HttpContext context, SessionTarget target, JsonRpcMessage message)
    {
        var headerVersion = context.Request.Headers[McpHeaders.ProtocolVersion].ToString();
        var metaVersion = (message as JsonRpcRequest)?.Params?["_meta"]?[McpMethods.MetaProtocolVersion] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        var version = metaVersion ?? (headerVersion.Length > 0 ? headerVersion : null);
        var requestId = (message as JsonRpcRequest)?.Id ?? default;

        if (version is null || ProtocolVersions.IsStateful(version))
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, $"Bad Request: the {McpHeaders.SessionId} header is required (send initialize first)", requestId);
            return;
        }

        if (metaVersion is not null && headerVersion.Length > 0 && metaVersion != headerVersion)
        {
            await HttpMessages.WriteJsonAsync(context.Response, GatewayErrors.Create(requestId, GatewayErrors.HeaderMismatch,
                $"{McpHeaders.ProtocolVersion} header '{headerVersion}' does not match _meta protocol version '{metaVersion}'"), StatusCodes.Status400BadRequest);
            return;
        }

        if (!ProtocolVersions.IsModern(version))
        {
            await HttpMessages.WriteJsonAsync(context.Response, GatewayErrors.Create(requestId, GatewayErrors.UnsupportedProtocolVersion,
                $"Unsupported protocol version '{version}'",
                new JsonObject { ["supported"] = new JsonArray([.. ProtocolVersions.All.Select(x => (JsonNode)x)]), ["requested"] = version }), StatusCodes.Status400BadRequest);
            return;
        }

        if (message is not JsonRpcRequest request)
        {
            // Stateless clients cancel by closing the request's stream; nothing else needs relaying.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        var inbound = InboundRequest.From(context.Request);
        await RespondAsync(context, request, async (stream, cancellationToken) =>
        {
            JsonRpcMessage answer;
            if (target is ViewTarget viewTarget)
            {
                var view = sharedLinks.ViewFor(viewTarget, inbound.Principal.Id);
                answer = await pipeline.InvokeAsync(new ForwardContext(target, request, stream, null, cancellationToken)
                {
                    StatelessView = view,
                    Inbound = inbound,
                    Response = context.Response,
                    Handler = request.Method == McpMethods.ServerDiscover
                        ? async c => Discover(c.Request, await view.InitializeResultAsync(ProtocolVersions.V2026_07_28, c.Aborted))
                        : null,
                });
            }
            else
            {
                var link = sharedLinks.For(((ServerTarget)target).Server, inbound.Principal.Id);
                answer = await pipeline.InvokeAsync(new ForwardContext(target, request, stream, null, cancellationToken)
                {
                    Link = link,
                    Inbound = inbound,
                    Response = context.Response,
                    Handler = request.Method == McpMethods.ServerDiscover ? c => DiscoverAsync(link, c.Request, stream, c.Aborted) : null,
                });
            }

            return MarkComplete(answer);
        });
    }

    private static async Task<JsonRpcMessage> DiscoverAsync(UpstreamLink link, JsonRpcRequest request, IClientChannel stream, CancellationToken cancellationToken)
    {
        UpstreamHandshake handshake;
        try
        {
            await link.GetSessionAsync(cancellationToken);
            handshake = link.Handshake!;
        }
        catch (UpstreamException ex)
        {
            return GatewayErrors.From(request.Id, ex);
        }

        if (handshake.IsModern)
        {
            return await link.ForwardAsync(request, stream, cancellationToken);
        }

        // A stateful upstream does not know server/discover: answer from its initialize result.
        return Discover(request, handshake.InitializeResult);
    }

    /// <summary>A <c>server/discover</c> answer built from an <c>initialize</c> result.</summary>
    private static JsonRpcResponse Discover(JsonRpcRequest request, JsonObject init)
    {
        var result = new JsonObject
        {
            ["supportedVersions"] = new JsonArray([.. ProtocolVersions.All.Select(x => (JsonNode)x)]),
            ["capabilities"] = init["capabilities"]?.DeepClone() ?? new JsonObject(),
            ["_meta"] = new JsonObject { ["io.modelcontextprotocol/serverInfo"] = init["serverInfo"]?.DeepClone() },
        };
        if (init["instructions"] is { } instructions)
        {
            result["instructions"] = instructions.DeepClone();
        }

        return new JsonRpcResponse { Id = request.Id, Result = result };
    }

    /// <summary>Results in the stateless revision say what they are; stateful upstreams never do.</summary>
    private static JsonRpcMessage MarkComplete(JsonRpcMessage answer)
    {
        if (answer is JsonRpcResponse { Result: JsonObject result } && !result.ContainsKey("resultType"))
        {
            result["resultType"] = "complete";
        }

        return answer;
    }

    /// <summary>
    /// Answers one request: plain JSON when the answer is the first thing that arrives, otherwise an SSE stream carrying
    /// the related progress, server→client requests and notifications, then the answer.
    /// </summary>
    private delegate Task<JsonRpcMessage> ForwardFunc(IClientChannel channel, CancellationToken cancellationToken);

    private static async Task RespondAsync(HttpContext context, JsonRpcRequest request, ForwardFunc forward)
    {
        var stream = new MessageStream(inlineReader: true);
        var forwarding = ForwardIntoAsync(stream, channel => forward(channel, context.RequestAborted));

        var reader = stream.Reader;
        JsonRpcMessage first;
        try
        {
            first = await reader.ReadAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            await forwarding;
            return;
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Cancelled by the client before anything was sent: an empty stream, since no answer is due.
            HttpMessages.StartEventStream(context.Response);
            return;
        }

        if (IsAnswerTo(first, request))
        {
            // A filter may have chosen the status (429 for a rate limit); otherwise it is still 200.
            await HttpMessages.WriteJsonAsync(context.Response, first, context.Response.StatusCode);
            return;
        }

        HttpMessages.StartEventStream(context.Response);
        var writer = context.Response.BodyWriter;
        try
        {
            await HttpMessages.WriteEventAsync(writer, first, context.RequestAborted);
            await foreach (var next in reader.ReadAllAsync(context.RequestAborted))
            {
                await HttpMessages.WriteEventAsync(writer, next, context.RequestAborted);
                if (IsAnswerTo(next, request))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away; forwarding sees the same token and cancels upstream.
        }

        await forwarding;
    }

    private static async Task ForwardIntoAsync(MessageStream stream, Func<IClientChannel, Task<JsonRpcMessage>> forward)
    {
        try
        {
            WriteAnswer(stream, await forward(stream));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            stream.Complete();
        }
    }

    /// <summary>
    /// Answers one request of a resumable session as an SSE stream whose events carry ids, starting with a priming event.
    /// A client that drops the connection may resume with GET + Last-Event-ID; the upstream work goes on meanwhile and
    /// is cancelled only when nobody resumes within the resume window.
    /// </summary>
    private async Task RespondResumableAsync(HttpContext context, DownstreamSession session, JsonRpcRequest request, ForwardFunc forward, Task admitted)
    {
        var stream = session.OpenRequestStream(request.Id);
        var forwarding = ForwardIntoAsync(stream, forward);
        await Task.WhenAny(admitted, forwarding);
        if (!admitted.IsCompleted && context.Response.StatusCode != StatusCodes.Status200OK && await forwarding is { } refusal)
        {
            // A filter refused the request and chose the status (429): nothing to resume, so a plain answer.
            await HttpMessages.WriteJsonAsync(context.Response, refusal, context.Response.StatusCode);
            return;
        }

        HttpMessages.StartEventStream(context.Response);
        var generation = stream.Attach();
        try
        {
            await HttpMessages.WritePrimingEventAsync(context.Response.BodyWriter, stream.EventId(0), RetryMilliseconds, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            stream.Detach(generation);
            _ = session.CancelUnlessResumedAsync(stream, generation);
            return;
        }

        await PumpResumableAsync(context, session, stream, afterSeq: 0, generation);
    }

    /// <returns>The answer, or null when the request was abandoned.</returns>
    private async Task<JsonRpcMessage?> ForwardIntoAsync(ResumableStream stream, ForwardFunc forward)
    {
        try
        {
            var answer = await forward(stream, stream.Forwarding!.Token);
            WriteAnswer(stream, answer);
            return answer;
        }
        catch (OperationCanceledException)
        {
            // Abandoned by the client (or the session closed): the upstream has been told to cancel.
            return null;
        }
        finally
        {
            stream.Complete(time.GetUtcNow());
        }
    }

    /// <summary>Writes a resumable stream's events after <paramref name="afterSeq"/> until it ends, the client leaves, or another reader takes over.</summary>
    private static async Task PumpResumableAsync(HttpContext context, DownstreamSession session, ResumableStream stream, long afterSeq, int generation)
    {
        session.StreamOpened();
        var abandoned = false;
        try
        {
            await foreach (var (seq, message) in stream.ReadAsync(afterSeq, generation, context.RequestAborted))
            {
                await HttpMessages.WriteEventAsync(context.Response.BodyWriter, message, context.RequestAborted, stream.EventId(seq));
            }
        }
        catch (OperationCanceledException)
        {
            abandoned = true;
        }
        finally
        {
            stream.Detach(generation);
            session.StreamClosed();
        }

        if (abandoned && stream.RequestId is not null && !stream.IsCompleted)
        {
            _ = session.CancelUnlessResumedAsync(stream, generation);
        }
    }

    /// <summary>Every way a request's answer reaches its client; a request the client cancelled gets none.</summary>
    private static void WriteAnswer(IClientChannel? channel, JsonRpcMessage answer)
    {
        if (!GatewayErrors.IsCancelledByClient(answer))
        {
            channel?.TryWrite(answer);
        }
    }

    private static bool IsAnswerTo(JsonRpcMessage message, JsonRpcRequest request) =>
        message is JsonRpcResponse or JsonRpcError && ((JsonRpcMessageWithId)message).Id == request.Id;

    private async Task GetAsync(HttpContext context, TargetKind kind)
    {
        var target = await ResolveAsync(context, kind);
        if (target is null)
        {
            return;
        }

        if (!RequestGuards.Accepts(context.Request, "text/event-stream"))
        {
            await RejectAsync(context, StatusCodes.Status406NotAcceptable, "Accept must include text/event-stream");
            return;
        }

        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (string.IsNullOrEmpty(sessionId))
        {
            var status = IsModernRequest(context) ? StatusCodes.Status405MethodNotAllowed : StatusCodes.Status400BadRequest;
            await RejectAsync(context, status, status == StatusCodes.Status405MethodNotAllowed
                ? "The stateless revision has no GET stream"
                : $"Bad Request: the {McpHeaders.SessionId} header is required");
            return;
        }

        var session = sessions.Find(sessionId, target.RouteKey, GatewayPrincipalFeature.Of(context).Id);
        if (session is null)
        {
            await SessionNotFoundAsync(context, null);
            return;
        }

        var lastEventId = context.Request.Headers[McpHeaders.LastEventId].ToString();
        if (lastEventId.Length > 0)
        {
            await ResumeAsync(context, session, lastEventId);
            return;
        }

        if (session.StandaloneLog is { } log)
        {
            if (log.HasReader)
            {
                await RejectAsync(context, StatusCodes.Status409Conflict, "This session already has a GET stream open");
                return;
            }

            HttpMessages.StartEventStream(context.Response);
            var generation = log.Attach();
            var resumeFrom = log.LastSentSeq;
            await HttpMessages.WritePrimingEventAsync(context.Response.BodyWriter, log.EventId(resumeFrom), RetryMilliseconds, context.RequestAborted);
            await PumpResumableAsync(context, session, log, resumeFrom, generation);
            return;
        }

        var stream = new MessageStream();
        if (!session.TryAttachStandalone(stream))
        {
            await RejectAsync(context, StatusCodes.Status409Conflict, "This session already has a GET stream open");
            return;
        }

        await PumpAsync(context, session, stream);
    }

    /// <summary>GET with Last-Event-ID: replay what the client missed on that one stream, then continue it live.</summary>
    private async Task ResumeAsync(HttpContext context, DownstreamSession session, string lastEventId)
    {
        if (!session.IsResumable || !ResumableStream.TryParseEventId(lastEventId, out var streamId, out var seq) || session.FindStream(streamId) is not { } stream)
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, $"Unknown Last-Event-ID '{lastEventId}' for this session (the stream ended and was forgotten, or the id is not the gateway's)");
            return;
        }

        HttpMessages.StartEventStream(context.Response);
        var generation = stream.Attach();
        await PumpResumableAsync(context, session, stream, seq, generation);
    }

    private async Task DeleteAsync(HttpContext context, TargetKind kind)
    {
        var target = await ResolveAsync(context, kind);
        if (target is null)
        {
            return;
        }

        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (string.IsNullOrEmpty(sessionId))
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, $"Bad Request: the {McpHeaders.SessionId} header is required");
            return;
        }

        var session = sessions.Find(sessionId, target.RouteKey, GatewayPrincipalFeature.Of(context).Id);
        if (session is null)
        {
            await SessionNotFoundAsync(context, null);
            return;
        }

        await sessions.CloseAsync(session, "client ended the session");
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    // ---- legacy HTTP+SSE (2024-11-05) ----

    private async Task OpenLegacyStreamAsync(HttpContext context, TargetKind kind)
    {
        var target = await ResolveAsync(context, kind);
        if (target is null)
        {
            return;
        }

        var session = sessions.Create(target, legacySse: true, GatewayPrincipalFeature.Of(context).Id);
        var stream = new MessageStream();
        session.TryAttachStandalone(stream);
        HttpMessages.StartEventStream(context.Response);
        try
        {
            await HttpMessages.WriteRawEventAsync(context.Response.BodyWriter, "endpoint", $"{context.Request.PathBase}{target.BasePath}/message?sessionId={session.Id}", context.RequestAborted);
            await PumpAsync(context, session, stream, eventStreamStarted: true);
        }
        finally
        {
            await sessions.CloseAsync(session, "SSE stream closed");
        }
    }

    private async Task PostLegacyMessageAsync(HttpContext context, TargetKind kind)
    {
        var target = await ResolveAsync(context, kind);
        if (target is null)
        {
            return;
        }

        var sessionId = context.Request.Query["sessionId"].ToString();
        if (string.IsNullOrEmpty(sessionId))
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the sessionId query parameter is required");
            return;
        }

        var session = sessions.Find(sessionId, target.RouteKey, GatewayPrincipalFeature.Of(context).Id);
        if (session is null)
        {
            await SessionNotFoundAsync(context, null);
            return;
        }

        var read = await HttpMessages.ReadMessageAsync(context, config.Current.Gateway.MaxRequestBodyBytes);
        if (read.Message is not { } message)
        {
            await HttpMessages.WriteJsonAsync(context.Response, read.Error!, read.Status);
            return;
        }

        // Answers travel down the SSE stream; the POST is only acknowledged.
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        switch (message)
        {
            case JsonRpcRequest { Method: McpMethods.Initialize } initialize:
                var initializeInbound = InboundRequest.From(context.Request);
                _ = AnswerOnStreamAsync(session, () => pipeline.InvokeAsync(new ForwardContext(target, initialize, null, session, CancellationToken.None)
                {
                    Inbound = initializeInbound,
                    Handler = c => c.Session!.InitializeAsync(c.Request, c.Aborted),
                }));
                break;
            case JsonRpcRequest request:
                var inbound = InboundRequest.From(context.Request);
                _ = AnswerOnStreamAsync(session, () => pipeline.InvokeAsync(new ForwardContext(target, request, session.LegacyStream, session, CancellationToken.None) { Inbound = inbound }));
                break;
            default:
                await session.AcceptFromClientAsync(message, context.RequestAborted);
                break;
        }
    }

    private static async Task AnswerOnStreamAsync(DownstreamSession session, Func<Task<JsonRpcMessage>> answer)
    {
        try
        {
            WriteAnswer(session.LegacyStream, await answer());
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---- shared ----

    private static async Task PumpAsync(HttpContext context, DownstreamSession session, MessageStream stream, bool eventStreamStarted = false)
    {
        session.StreamOpened();
        try
        {
            if (!eventStreamStarted)
            {
                HttpMessages.StartEventStream(context.Response);
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            }

            await foreach (var message in stream.Reader.ReadAllAsync(context.RequestAborted))
            {
                await HttpMessages.WriteEventAsync(context.Response.BodyWriter, message, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            session.DetachStandalone(stream);
            session.StreamClosed();
        }
    }

    private async Task<SessionTarget?> ResolveAsync(HttpContext context, TargetKind kind)
    {
        var current = config.Current;
        if (!RequestGuards.IsOriginAllowed(context.Request, current.Gateway))
        {
            await RejectAsync(context, StatusCodes.Status403Forbidden, $"Origin '{context.Request.Headers.Origin}' is not allowed (gateway.allowedOrigins)");
            return null;
        }

        var name = context.Request.RouteValues["name"] as string ?? string.Empty;
        switch (kind)
        {
            case TargetKind.DefaultView:
                return DefaultView(current);
            case TargetKind.View when Targets(current).Views.GetValueOrDefault(name) is { } view && MayUse(context, view):
                return view;
            case TargetKind.View:
                await NotFoundAsync(context, $"Unknown virtual server '{name}'", name);
                return null;
        }

        var target = Targets(current).Servers.GetValueOrDefault(name);
        if (target is not null && MayUse(context, target))
        {
            return target;
        }

        // A refused server reads as unknown; only a server the caller could use is said to be disabled.
        var disabled = target is null && current.FindServer(name) is { } server && MayUse(context, new ServerTarget(server));
        await NotFoundAsync(context, disabled ? $"Server '{name}' is disabled" : $"Unknown server '{name}'", name);
        return null;
    }

    /// <summary>
    /// Authorization of the endpoint itself: a server or view the principal is not granted (or another tenant's view)
    /// is answered exactly like one that does not exist; the log says why.
    /// </summary>
    private bool MayUse(HttpContext context, SessionTarget target)
    {
        var principal = context.Features.Get<IGatewayPrincipalFeature>()?.Principal ?? GatewayPrincipal.Anonymous;
        if (policies.For(principal) is not { } access)
        {
            return true;
        }

        var (allowed, reason) = target switch
        {
            ViewTarget { View.Tenant: { } tenant } when tenant != principal.Tenant => (false, $"the virtual server belongs to tenant {tenant}"),
            ViewTarget view => (access.CanUseView(view.View), "no applicable policy grants it (virtualServers)"),
            ServerTarget server => (access.CanUseServer(server.Server.Name), "no applicable policy grants it (servers)"),
            _ => (true, string.Empty),
        };
        if (!allowed)
        {
            GatewayLog.TargetRefused(_logger, principal.Id, target.DisplayName, reason, access.PolicyNames);
        }

        return allowed;
    }

    private ViewTarget DefaultView(GatewayConfig current) => Targets(current).Default;

    /// <summary>Every target of one config snapshot, made once (not per request).</summary>
    private RouteTargets Targets(GatewayConfig current)
    {
        var cached = _targets;
        if (cached?.Config != current)
        {
            cached = new RouteTargets(
                current,
                current.Servers.Where(s => s.Enabled).ToDictionary(s => s.Name, s => new ServerTarget(s), StringComparer.Ordinal),
                current.VirtualServers.ToDictionary(v => v.Name, v => ViewTarget.For(current, v, isDefault: false), StringComparer.Ordinal),
                ViewTarget.For(current, new VirtualServerConfig { Name = ViewTarget.DefaultName }, isDefault: true));
            _targets = cached;
        }

        return cached;
    }

    private sealed record RouteTargets(GatewayConfig Config, Dictionary<string, ServerTarget> Servers, Dictionary<string, ViewTarget> Views, ViewTarget Default);

    private async Task NotFoundAsync(HttpContext context, string error, string name)
    {
        GatewayLog.RequestRejected(_logger, context.Request.Method, context.Request.Path, StatusCodes.Status404NotFound, error);
        await HttpMessages.WriteProblemAsync(context.Response, StatusCodes.Status404NotFound, error, name);
    }

    private async Task SessionNotFoundAsync(HttpContext context, JsonRpcMessage? message) =>
        await RejectAsync(context, StatusCodes.Status404NotFound, "Session not found: it expired or was closed; send initialize to start a new one",
            (message as JsonRpcRequest)?.Id ?? default);

    private async Task RejectAsync(HttpContext context, int status, string reason, RequestId id = default)
    {
        GatewayLog.RequestRejected(_logger, context.Request.Method, context.Request.Path, status, reason);
        await HttpMessages.WriteJsonAsync(context.Response, GatewayErrors.Create(id, GatewayErrors.InvalidRequest, reason), status);
    }

    private static bool IsModernRequest(HttpContext context) =>
        ProtocolVersions.IsModern(context.Request.Headers[McpHeaders.ProtocolVersion].ToString());
}
