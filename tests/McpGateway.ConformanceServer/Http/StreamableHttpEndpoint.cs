using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.ConformanceServer.Http;

/// <summary>
/// Streamable HTTP at <c>/mcp</c> around ModelContextProtocol.Core's <see cref="StreamableHttpServerTransport"/>:
/// <list type="bullet">
/// <item>2024-11-05 … 2025-11-25: stateful. <c>initialize</c> (POST without <c>Mcp-Session-Id</c>) opens a session whose id
/// is returned in <c>Mcp-Session-Id</c>; later POSTs carry it; GET opens the one standalone SSE stream or, with
/// <c>Last-Event-ID</c>, replays a stream from the event store; DELETE ends the session.</item>
/// <item>2026-07-28 (<c>MCP-Protocol-Version: 2026-07-28</c> on the request): stateless; every POST gets a fresh
/// server and transport, no session, GET and DELETE are 405.</item>
/// </list>
/// Responses to requests are always SSE streams (priming event first when the negotiated revision supports it).
/// </summary>
internal sealed partial class StreamableHttpEndpoint(
    ConformanceServerFactory factory,
    HttpSessionStore sessions,
    InMemorySseEventStreamStore eventStore,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory,
    TimeProvider time)
{
    public const string Path = "/mcp";

    private const string SessionIdHeader = "Mcp-Session-Id";
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";
    private const string LastEventIdHeader = "Last-Event-ID";
    private const string FirstStatelessRevision = "2026-07-28";
    private const string RpcMethodItem = "mcp.rpc-method";

    /// <summary>Revisions this server speaks (the SDK's list; its own constant is internal).</summary>
    public static readonly string[] SupportedProtocolVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", FirstStatelessRevision];

    private static readonly JsonTypeInfo<JsonRpcMessage> s_messageType =
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    private static readonly JsonTypeInfo<JsonRpcError> s_errorType =
        (JsonTypeInfo<JsonRpcError>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcError));

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        // Plain RequestDelegates: no parameter binding, the handlers own the whole exchange.
        endpoints.MapPost(Path, context => Endpoint(context).PostAsync(context));
        endpoints.MapGet(Path, context => Endpoint(context).GetAsync(context));
        endpoints.MapDelete(Path, context => Endpoint(context).DeleteAsync(context));

        static StreamableHttpEndpoint Endpoint(HttpContext context) => context.RequestServices.GetRequiredService<StreamableHttpEndpoint>();
    }

    public async Task PostAsync(HttpContext context)
    {
        var accept = context.Request.GetTypedHeaders().Accept;
        if (!accept.Any(a => a.MatchesMediaType("application/json")) || !accept.Any(a => a.MatchesMediaType("text/event-stream")))
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, -32000,
                "Not Acceptable: the client must accept both application/json and text/event-stream.");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType) ||
            !contentType.MatchesMediaType("application/json"))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, -32000,
                "Unsupported Media Type: the body must be application/json.");
            return;
        }

        var message = await ReadMessageAsync(context);
        if (message is null)
        {
            return;
        }

        context.Items[RpcMethodItem] = message switch
        {
            JsonRpcRequest r => r.Method,
            JsonRpcNotification n => n.Method,
            _ => message.GetType().Name,
        };
        var requestId = message is JsonRpcRequest request ? request.Id : default;
        var version = context.Request.Headers[ProtocolVersionHeader].ToString();
        if (!await CheckProtocolVersionAsync(context, version, requestId))
        {
            return;
        }

        if (IsStatelessRevision(version))
        {
            // Per-request revision: the SDK reads it from the message context (there is no initialize to negotiate it).
            message.Context ??= new JsonRpcMessageContext();
            message.Context.ProtocolVersion = version;
            await ServeStatelessAsync(context, message, version, requestId);
            return;
        }

        // In a session the revision is the one initialize negotiated; a (supported) header that differs from it is
        // not passed on, since the SDK would fail the request (the suite's server-sse-polling sends 2025-03-26 on a
        // 2025-11-25 session).

        HttpSession? session;
        var sessionId = context.Request.Headers[SessionIdHeader].ToString();
        if (sessionId.Length == 0)
        {
            if (message is not JsonRpcRequest { Method: RequestMethods.Initialize })
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32000,
                    "Bad Request: Mcp-Session-Id header is required (only initialize starts a session).", requestId);
                return;
            }

            session = StartSession();
        }
        else if (!sessions.TryGet(sessionId, out session))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, -32001, "Session not found", requestId);
            return;
        }

        context.Response.Headers[SessionIdHeader] = session.Id;
        using var scope = session.BeginRequest();
        StartSseResponse(context);
        var wroteResponse = await session.Transport.HandlePostRequestAsync(message, context.Response.Body, context.RequestAborted);
        if (!wroteResponse)
        {
            // A notification or a response from the client: nothing to stream back.
            context.Response.Headers.ContentType = (string?)null;
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }
    }

    public async Task GetAsync(HttpContext context)
    {
        var version = context.Request.Headers[ProtocolVersionHeader].ToString();
        if (!await CheckProtocolVersionAsync(context, version, default))
        {
            return;
        }

        if (IsStatelessRevision(version))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, -32000,
                $"Method Not Allowed: protocol revision {version} has no GET stream (use subscriptions/listen).");
            return;
        }

        if (!context.Request.GetTypedHeaders().Accept.Any(a => a.MatchesMediaType("text/event-stream")))
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, -32000,
                "Not Acceptable: the client must accept text/event-stream.");
            return;
        }

        var session = await FindSessionAsync(context);
        if (session is null)
        {
            return;
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var scope = session.BeginRequest();
        var lastEventId = context.Request.Headers[LastEventIdHeader].ToString();
        try
        {
            if (lastEventId.Length > 0)
            {
                await ResumeStreamAsync(context, session, lastEventId, stopping.Token);
                return;
            }

            if (!session.TryStartGetStream())
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32000,
                    "Bad Request: this session already has a GET stream; resume it with Last-Event-ID.");
                return;
            }

            StartSseResponse(context);
            await session.Transport.HandleGetRequestAsync(context.Response.Body, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the usual end of an SSE stream.
        }
    }

    public async Task DeleteAsync(HttpContext context)
    {
        var version = context.Request.Headers[ProtocolVersionHeader].ToString();
        if (!await CheckProtocolVersionAsync(context, version, default))
        {
            return;
        }

        if (IsStatelessRevision(version))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, -32000,
                $"Method Not Allowed: protocol revision {version} has no sessions to delete.");
            return;
        }

        var session = await FindSessionAsync(context);
        if (session is not null)
        {
            await sessions.CloseAsync(session.Id);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
    }

    private HttpSession StartSession()
    {
        var id = HttpSessionStore.NewSessionId();
        var transport = new StreamableHttpServerTransport(loggerFactory)
        {
            SessionId = id,
            EventStreamStore = eventStore,
        };
        var session = new HttpSession(id, transport, factory.Create(transport), time);
        session.Start();
        sessions.Add(session);
        return session;
    }

    /// <summary>2026-07-28: one server per request, no session, no GET stream; the SDK enforces the revision's rules.</summary>
    private async Task ServeStatelessAsync(HttpContext context, JsonRpcMessage message, string version, RequestId requestId)
    {
        if (message is JsonRpcRequest { Params: var parameters } &&
            (parameters is not JsonObject paramsObject ||
             paramsObject["_meta"] is not JsonObject meta ||
             meta[MetaKeys.ClientCapabilities] is not JsonObject))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidParams,
                $"Requests using protocol version '{version}' must include '_meta/{MetaKeys.ClientCapabilities}' as a JSON object.",
                requestId);
            return;
        }

        await using var transport = new StreamableHttpServerTransport(loggerFactory) { Stateless = true };
        await using var server = factory.Create(transport, stateless: true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var run = server.RunAsync(stop.Token);
        try
        {
            StartSseResponse(context);
            var wroteResponse = await transport.HandlePostRequestAsync(message, context.Response.Body, first =>
            {
                // The status line can still be chosen here: map the revision's error codes to HTTP statuses.
                if (first is JsonRpcError { Error: { } error } && !context.Response.HasStarted)
                {
                    context.Response.StatusCode = (McpErrorCode)error.Code switch
                    {
                        McpErrorCode.MethodNotFound => StatusCodes.Status404NotFound,
                        McpErrorCode.MissingRequiredClientCapability or McpErrorCode.UnsupportedProtocolVersion
                            or McpErrorCode.HeaderMismatch => StatusCodes.Status400BadRequest,
                        _ => context.Response.StatusCode,
                    };
                }

                return ValueTask.CompletedTask;
            }, context.RequestAborted);

            if (!wroteResponse)
            {
                context.Response.Headers.ContentType = (string?)null;
                context.Response.StatusCode = StatusCodes.Status202Accepted;
            }
        }
        finally
        {
            await transport.DisposeAsync();
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task ResumeStreamAsync(HttpContext context, HttpSession session, string lastEventId, CancellationToken cancellationToken)
    {
        var reader = await eventStore.GetStreamReaderAsync(lastEventId, cancellationToken);
        if (reader is null || !string.Equals(reader.SessionId, session.Id, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32000,
                "Bad Request: Last-Event-ID is unknown, expired or from another session.");
            return;
        }

        StartSseResponse(context);
        Utf8JsonWriter? json = null;
        try
        {
            await SseFormatter.WriteAsync(reader.ReadEventsAsync(cancellationToken), context.Response.Body, (item, buffer) =>
            {
                if (item.Data is null)
                {
                    return; // priming event: id (and retry) only
                }

                if (json is null)
                {
                    json = new Utf8JsonWriter(buffer);
                }
                else
                {
                    json.Reset(buffer);
                }

                JsonSerializer.Serialize(json, item.Data, s_messageType);
                json.Flush();
            }, cancellationToken);
        }
        finally
        {
            json?.Dispose();
        }
    }

    private async Task<HttpSession?> FindSessionAsync(HttpContext context)
    {
        var sessionId = context.Request.Headers[SessionIdHeader].ToString();
        if (sessionId.Length == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32000, "Bad Request: Mcp-Session-Id header is required.");
            return null;
        }

        if (!sessions.TryGet(sessionId, out var session))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, -32001, "Session not found");
            return null;
        }

        context.Response.Headers[SessionIdHeader] = session.Id;
        return session;
    }

    /// <summary>Reads one JSON-RPC message; batches (arrays) and malformed bodies are answered here and yield null.</summary>
    private static async Task<JsonRpcMessage?> ReadMessageAsync(HttpContext context)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.ParseError, "Parse error: the body is not valid JSON.");
            return null;
        }

        if (body is JsonArray)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest,
                "Invalid Request: JSON-RPC batches are not supported.");
            return null;
        }

        try
        {
            if (body is JsonObject && body.Deserialize(s_messageType) is { } message)
            {
                return message;
            }
        }
        catch (JsonException)
        {
        }

        await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.InvalidRequest,
            "Invalid Request: the body is not a JSON-RPC 2.0 message.");
        return null;
    }

    private static async Task<bool> CheckProtocolVersionAsync(HttpContext context, string version, RequestId requestId)
    {
        if (version.Length == 0 || SupportedProtocolVersions.Contains(version, StringComparer.Ordinal))
        {
            return true;
        }

        var data = new JsonObject
        {
            ["supported"] = new JsonArray([.. SupportedProtocolVersions.Select(v => JsonValue.Create(v))]),
            ["requested"] = version,
        };
        await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (int)McpErrorCode.UnsupportedProtocolVersion,
            $"Bad Request: unsupported MCP-Protocol-Version '{version}'.", requestId, data);
        return false;
    }

    private static bool IsStatelessRevision(string version) =>
        version.Length > 0 && string.CompareOrdinal(version, FirstStatelessRevision) >= 0;

    private static void StartSseResponse(HttpContext context)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache,no-store";
        context.Response.Headers.ContentEncoding = "identity";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
    }

    internal static Task WriteErrorAsync(HttpContext context, int statusCode, int code, string message, RequestId id = default, JsonNode? data = null)
    {
        var logger = context.RequestServices.GetRequiredService<ILogger<StreamableHttpEndpoint>>();
        LogRefused(logger, context.Request.Method, context.Request.Path, context.Items[RpcMethodItem] as string ?? "-",
            context.Request.Headers[SessionIdHeader].Count > 0, context.Request.Headers[ProtocolVersionHeader].ToString(), statusCode, message);
        var error = new JsonRpcError { Id = id, Error = new JsonRpcErrorDetail { Code = code, Message = message, Data = data } };
        return Results.Json(error, s_errorType, statusCode: statusCode).ExecuteAsync(context);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Refused {HttpMethod} {Path} (JSON-RPC {RpcMethod}, session id sent: {HasSessionId}, MCP-Protocol-Version '{Version}') with {StatusCode}: {Reason}")]
    private static partial void LogRefused(
        ILogger logger, string httpMethod, string path, string rpcMethod, bool hasSessionId, string version, int statusCode, string reason);
}
