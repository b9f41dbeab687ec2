using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.Upstreams;

/// <summary>A transport that hands a request's answer straight back to the sender when it comes in the request's own HTTP response.</summary>
internal interface IRequestAnswerTransport
{
    /// <summary>
    /// Sends a request. Returns its answer when it arrived in the POST's response (JSON body or SSE stream), or null when
    /// it will come through <see cref="ITransport.MessageReader"/> instead. Everything else the response carried
    /// (progress, server→client requests) goes to the message reader first, in order.
    /// </summary>
    Task<JsonRpcMessage?> SendRequestAsync(JsonRpcRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// The gateway's own Streamable HTTP client: one POST per message, answers parsed straight from the response bytes and
/// returned to the caller without a queue, a standalone GET stream for what the server sends on its own, resumption of
/// a broken response stream with <c>Last-Event-ID</c>, and DELETE on close.
/// </summary>
/// <remarks>
/// For <see cref="ServerTransport.AutoDetect"/> a first POST that gets an HTTP error without a JSON-RPC body means the
/// server predates Streamable HTTP: the transport then switches to the SDK's legacy SSE client for good.
/// </remarks>
internal sealed partial class StreamableHttpTransport : ITransport, IRequestAnswerTransport
{
    private const int MaxResumeAttempts = 3;
    private const int MaxStandaloneAttempts = 5;
    private static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DeleteTimeout = TimeSpan.FromSeconds(5);
    private static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStreamMediaType = new("text/event-stream");
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly ServerConfig _server;
    private readonly Uri _endpoint;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, Task<ITransport>>? _legacyFallback;
    private readonly Channel<JsonRpcMessage> _incoming = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private string? _sessionId;
    private string? _protocolVersion;
    private bool _adopted;
    private ITransport? _legacy;
    private Task? _standalone;
    private int _disposed;

    public StreamableHttpTransport(ServerConfig server, HttpClient http, ILogger logger, Func<CancellationToken, Task<ITransport>>? legacyFallback)
    {
        _server = server;
        _endpoint = server.Url!;
        _http = http;
        _logger = logger;
        _legacyFallback = legacyFallback;
    }

    public string? SessionId => _legacy?.SessionId ?? _sessionId;

    public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

    public async Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        if (_legacy is { } legacy)
        {
            await legacy.SendMessageAsync(message, cancellationToken);
            return;
        }

        var answer = await SendAsync(message, cancellationToken);
        if (answer is not null)
        {
            _incoming.Writer.TryWrite(answer);
        }
    }

    public async Task<JsonRpcMessage?> SendRequestAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        if (_legacy is { } legacy)
        {
            await legacy.SendMessageAsync(request, cancellationToken);
            return null;
        }

        return await SendAsync(request, cancellationToken);
    }

    private async Task<JsonRpcMessage?> SendAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        var request = message as JsonRpcRequest;
        // Once a handshake settled the revision it governs every request: a session-less (2026-07-28) client's call
        // relayed to an initialize-based upstream must still carry that upstream's session id.
        var version = _protocolVersion ?? MetaProtocolVersion(request);
        using var post = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(McpWire.Serialize(message)) { Headers = { ContentType = JsonContentType } },
        };
        post.Headers.Accept.Add(JsonMediaType);
        post.Headers.Accept.Add(EventStreamMediaType);
        AddHeaders(post.Headers, version, lastEventId: null);
        if (ProtocolVersions.IsModern(version))
        {
            AddRoutingHeaders(post.Headers, message);
        }

        using var response = await _http.SendAsync(post, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return await FailedAsync(message, response, cancellationToken);
        }

        _adopted = true;
        if (request is null)
        {
            return null;
        }

        JsonRpcMessage? answer;
        var queuedBefore = false;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            var state = new StreamState();
            await using (var body = Capped(await response.Content.ReadAsStreamAsync(cancellationToken)))
            {
                answer = await ReadEventsAsync(body, request.Id, state, cancellationToken);
            }

            answer ??= await ResumeAsync(request.Id, state, cancellationToken);
            queuedBefore = state.Queued;
        }
        else
        {
            answer = await ReadJsonAnswerAsync(response, request.Id, cancellationToken);
        }

        if (answer is null)
        {
            throw new UpstreamException(_server.Name, $"the HTTP response to '{request.Method}' ended without an answer");
        }

        if (answer is JsonRpcResponse initialized)
        {
            OnAnswered(request, initialized, response);
        }

        if (queuedBefore)
        {
            // Progress and other related messages went to the reader; the answer must not overtake them.
            _incoming.Writer.TryWrite(answer);
            return null;
        }

        return answer;
    }

    /// <summary>One request's response body, refused beyond the server's <c>maxMessageBytes</c>.</summary>
    private CappedReadStream Capped(Stream body) =>
        new(body, _server.MaxMessageBytes, _server.Name, () => GatewayLog.UpstreamMessageTooLarge(_logger, _server.Name, _server.MaxMessageBytes));

    /// <summary>Reads a plain JSON body: the answer, or (rarely) some other single message, which goes to the reader.</summary>
    private async Task<JsonRpcMessage?> ReadJsonAnswerAsync(HttpResponseMessage response, RequestId id, CancellationToken cancellationToken)
    {
        await using var body = Capped(await response.Content.ReadAsStreamAsync(cancellationToken));
        JsonRpcMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync(body, McpWire.MessageTypeInfo, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new UpstreamException(_server.Name, $"it answered with invalid JSON-RPC: {ex.Message}");
        }

        if (IsAnswerTo(message, id))
        {
            return message;
        }

        if (message is not null)
        {
            _incoming.Writer.TryWrite(message);
        }

        return null;
    }

    /// <summary>Reads SSE events until the answer to <paramref name="id"/> (returned) or the stream's end (null).</summary>
    private async Task<JsonRpcMessage?> ReadEventsAsync(Stream body, RequestId? id, StreamState state, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in SseParser.Create(body, ParseEvent).EnumerateAsync(cancellationToken))
            {
                if (!string.IsNullOrEmpty(item.EventId))
                {
                    state.LastEventId = item.EventId;
                }

                if (item.ReconnectionInterval is { } retry)
                {
                    state.RetryInterval = retry;
                }

                if (item.Data is not { } message)
                {
                    continue;
                }

                if (id is { } wanted && IsAnswerTo(message, wanted))
                {
                    return message;
                }

                _incoming.Writer.TryWrite(message);
                state.Queued = true;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            state.NetworkError = true;
        }

        return null;
    }

    private JsonRpcMessage? ParseEvent(string eventType, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || eventType != "message")
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(data, McpWire.MessageTypeInfo);
        }
        catch (JsonException ex)
        {
            GatewayLog.UpstreamInvalidLine(_logger, _server.Name, ex.Message);
            return null;
        }
    }

    /// <summary>A response stream broke before the answer: ask for the rest with GET + Last-Event-ID.</summary>
    private async Task<JsonRpcMessage?> ResumeAsync(RequestId id, StreamState state, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxResumeAttempts && state.LastEventId is not null; attempt++)
        {
            await Task.Delay(state.RetryInterval ?? DefaultRetryInterval, cancellationToken);
            var (answer, reached) = await GetStreamAsync(id, state, cancellationToken);
            if (answer is not null)
            {
                return answer;
            }

            if (!reached)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>One GET stream: returns the answer to <paramref name="id"/> if it appears, and whether the server accepted the GET at all.</summary>
    private async Task<(JsonRpcMessage? Answer, bool Reached)> GetStreamAsync(RequestId? id, StreamState state, CancellationToken cancellationToken)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, _endpoint);
        get.Headers.Accept.Add(EventStreamMediaType);
        AddHeaders(get.Headers, _protocolVersion, state.LastEventId);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException)
        {
            state.NetworkError = true;
            return (null, true);
        }

        using (response)
        {
            if (response.StatusCode >= HttpStatusCode.InternalServerError)
            {
                return (null, true);
            }

            if (!response.IsSuccessStatusCode)
            {
                if (response.StatusCode == HttpStatusCode.NotFound && _sessionId is not null)
                {
                    Expire();
                }

                return (null, false);
            }

            state.NetworkError = false;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return (await ReadEventsAsync(body, id, state, cancellationToken), true);
        }
    }

    /// <summary>What the server sends on its own (list changes, log messages, requests) arrives on a long-lived GET.</summary>
    private async Task ReadStandaloneAsync()
    {
        var state = new StreamState();
        var failures = 0;
        var token = _closing.Token;
        try
        {
            while (!token.IsCancellationRequested && failures < MaxStandaloneAttempts)
            {
                var before = state.LastEventId;
                var (_, reached) = await GetStreamAsync(null, state, token);
                if (!reached)
                {
                    // 405 and the like: the server offers no standalone stream.
                    return;
                }

                failures = state.LastEventId is not null && (state.LastEventId != before || !state.NetworkError) ? 0 : failures + 1;
                GatewayLog.UpstreamStreamReconnecting(_logger, _server.Name, failures);
                await Task.Delay(state.RetryInterval ?? DefaultRetryInterval, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            GatewayLog.UpstreamStreamFailed(_logger, _server.Name, UpstreamSession.Describe(ex));
        }
    }

    private async Task<JsonRpcMessage?> FailedAsync(JsonRpcMessage message, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NotFound && _sessionId is not null)
        {
            throw Expire();
        }

        var text = await ReadTextAsync(response, cancellationToken);
        if (TryParseError(response, text) is { } rejected)
        {
            // The server speaks MCP and refused this request: that is its answer.
            _adopted = true;
            return message is JsonRpcRequest request ? new JsonRpcError { Id = request.Id, Error = rejected.Error } : null;
        }

        if (!_adopted && _legacyFallback is not null)
        {
            // Not a Streamable HTTP endpoint: the server predates it (HTTP+SSE at the same URL).
            GatewayLog.UpstreamFallingBackToSse(_logger, _server.Name, (int)response.StatusCode);
            var legacy = await _legacyFallback(cancellationToken);
            _legacy = legacy;
            _ = PumpLegacyAsync(legacy);
            await legacy.SendMessageAsync(message, cancellationToken);
            return null;
        }

        var detail = text.Length > 200 ? text[..200] : text;
        throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}{(detail.Length > 0 ? ": " + detail : string.Empty)}", null, response.StatusCode);
    }

    private async Task PumpLegacyAsync(ITransport legacy)
    {
        try
        {
            await foreach (var message in legacy.MessageReader.ReadAllAsync())
            {
                _incoming.Writer.TryWrite(message);
            }

            await legacy.MessageReader.Completion;
            _incoming.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _incoming.Writer.TryComplete(ex);
        }
    }

    private static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
    }

    private static JsonRpcError? TryParseError(HttpResponseMessage response, string text)
    {
        if (text.Length == 0 || !string.Equals(response.Content.Headers.ContentType?.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, McpWire.MessageTypeInfo) as JsonRpcError;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Learns the session and protocol version from the handshake's answer.</summary>
    private void OnAnswered(JsonRpcRequest request, JsonRpcResponse answer, HttpResponseMessage response)
    {
        if (request.Method == McpMethods.Initialize)
        {
            if (response.Headers.TryGetValues(McpHeaders.SessionId, out var values))
            {
                _sessionId = values.FirstOrDefault();
            }

            _protocolVersion = (answer.Result as JsonObject)?["protocolVersion"] is JsonValue value && value.TryGetValue(out string? version) ? version : null;
            _standalone ??= DetachedTask.Run(ReadStandaloneAsync);
        }
        else if (request.Method == McpMethods.ServerDiscover)
        {
            _protocolVersion ??= MetaProtocolVersion(request);
        }
    }

    private void AddHeaders(HttpRequestHeaders headers, string? version, string? lastEventId)
    {
        if (_sessionId is not null && !ProtocolVersions.IsModern(version))
        {
            headers.TryAddWithoutValidation(McpHeaders.SessionId, _sessionId);
        }

        if (version is not null)
        {
            headers.TryAddWithoutValidation(McpHeaders.ProtocolVersion, version);
        }

        if (lastEventId is not null)
        {
            headers.TryAddWithoutValidation(McpHeaders.LastEventId, lastEventId);
        }

        foreach (var (name, value) in _server.Headers)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>The stateless revision lets intermediaries route on the method and the named tool, prompt or resource.</summary>
    private static void AddRoutingHeaders(HttpRequestHeaders headers, JsonRpcMessage message)
    {
        var (method, parameters) = message switch
        {
            JsonRpcRequest request => (request.Method, request.Params),
            JsonRpcNotification notification => (notification.Method, notification.Params),
            _ => (null, null),
        };
        if (method is null)
        {
            return;
        }

        headers.TryAddWithoutValidation(McpHeaders.Method, method);
        var nameKey = method switch
        {
            RequestMethods.ToolsCall or RequestMethods.PromptsGet => "name",
            RequestMethods.ResourcesRead => "uri",
            _ => null,
        };
        if (nameKey is not null && McpParams.String(parameters, nameKey) is { } name)
        {
            headers.TryAddWithoutValidation(McpHeaders.Name, name);
        }
    }

    private static string? MetaProtocolVersion(JsonRpcRequest? request) => McpParams.Meta(request?.Params, McpMethods.MetaProtocolVersion);

    private static bool IsAnswerTo(JsonRpcMessage? message, RequestId id) =>
        message is JsonRpcResponse or JsonRpcError && ((JsonRpcMessageWithId)message).Id == id;

    /// <summary>The server forgot the session (HTTP 404): the connection is over and a new one may be made at once.</summary>
    private ClientTransportClosedException Expire()
    {
        var closed = new ClientTransportClosedException(new HttpClientCompletionDetails { HttpStatusCode = HttpStatusCode.NotFound });
        _incoming.Writer.TryComplete(closed);
        _closing.Cancel();
        return closed;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync();
        if (_legacy is { } legacy)
        {
            await legacy.DisposeAsync();
        }
        else if (_sessionId is not null && !ProtocolVersions.IsModern(_protocolVersion))
        {
            await DeleteSessionAsync();
        }

        if (_standalone is { } standalone)
        {
            await standalone.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _incoming.Writer.TryComplete();
        _closing.Dispose();
    }

    /// <summary>Tells the server the session is over; servers need not support it, so the outcome is only logged.</summary>
    private async Task DeleteSessionAsync()
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, _endpoint);
        AddHeaders(delete.Headers, _protocolVersion, lastEventId: null);
        using var timeout = new CancellationTokenSource(DeleteTimeout);
        try
        {
            using var response = await _http.SendAsync(delete, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            GatewayLog.UpstreamStreamFailed(_logger, _server.Name, "DELETE of the session failed: " + UpstreamSession.Describe(ex));
        }
    }

    private sealed class StreamState
    {
        public string? LastEventId { get; set; }

        public TimeSpan? RetryInterval { get; set; }

        public bool NetworkError { get; set; }

        /// <summary>Messages other than the answer went to the reader; the answer must follow them there.</summary>
        public bool Queued { get; set; }
    }
}
