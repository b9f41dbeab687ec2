using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// A deliberately plain Streamable HTTP client for tests that need to see status codes, headers and every SSE event
/// (the SDK clients hide those).
/// </summary>
public sealed class McpHttpTestClient(HttpClient http, Uri endpoint)
{
    private int _nextId;

    public string? SessionId { get; set; }

    public string ProtocolVersion { get; private set; } = "2025-11-25";

    public Uri Endpoint { get; } = endpoint;

    public async Task<JsonObject> InitializeAsync(string protocolVersion = "2025-11-25", JsonObject? capabilities = null)
    {
        var response = await PostAsync(Request("initialize", new JsonObject
        {
            ["protocolVersion"] = protocolVersion,
            ["capabilities"] = capabilities ?? new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "gateway-tests", ["version"] = "1.0" },
        }));
        response.Status.Should().Be(HttpStatusCode.OK, response.Body);
        SessionId = response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.First() : null;
        ProtocolVersion = (string?)response.Messages[^1]["result"]?["protocolVersion"] ?? protocolVersion;
        await PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" });
        return response.Messages[^1];
    }

    public JsonObject Request(string method, JsonNode? parameters = null, JsonNode? id = null) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id ?? Interlocked.Increment(ref _nextId),
        ["method"] = method,
        ["params"] = parameters ?? new JsonObject(),
    };

    /// <summary>Sends a request and returns the final message (the answer).</summary>
    public async Task<JsonObject> CallAsync(string method, JsonNode? parameters = null)
    {
        var response = await PostAsync(Request(method, parameters));
        response.Status.Should().Be(HttpStatusCode.OK, response.Body);
        return response.Messages[^1];
    }

    public Task<HttpExchange> PostAsync(JsonNode message, Action<HttpRequestMessage>? customize = null) =>
        PostRawAsync(message.ToJsonString(), customize);

    public async Task<HttpExchange> PostRawAsync(string body, Action<HttpRequestMessage>? customize = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (SessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", SessionId);
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }

        customize?.Invoke(request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();
        return new HttpExchange(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers, text, ParseMessages(response.Content.Headers.ContentType?.MediaType, text));
    }

    /// <summary>Posts a request and returns at once with the response stream, to read events as they arrive.</summary>
    public async Task<OpenResponse> OpenAsync(JsonNode message)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (SessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", SessionId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new OpenResponse(request, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Opens the session's GET stream (or resumes a stream with <paramref name="lastEventId"/>).</summary>
    public async Task<OpenResponse> OpenGetStreamAsync(string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Endpoint);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (SessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", SessionId);
        }

        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new OpenResponse(request, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Either one JSON body, or every <c>data:</c> of an event stream.</summary>
    public static IReadOnlyList<JsonObject> ParseMessages(string? mediaType, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        if (mediaType == "text/event-stream")
        {
            var messages = new List<JsonObject>();
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && line[5..].Trim().Length > 0 && JsonNode.Parse(line[5..].Trim()) is JsonObject message)
                {
                    messages.Add(message);
                }
            }

            return messages;
        }

        return JsonNode.Parse(text) is JsonObject single ? [single] : [];
    }
}

public sealed record HttpExchange(HttpStatusCode Status, string? MediaType, HttpResponseHeaders Headers, string Body, IReadOnlyList<JsonObject> Messages)
{
    public JsonObject Last => Messages[^1];
}

/// <summary>A response still being received; disposing it aborts the HTTP request (a client disconnect).</summary>
public sealed class OpenResponse(HttpRequestMessage request, HttpResponseMessage response, StreamReader reader) : IDisposable
{
    public HttpResponseMessage Response { get; } = response;

    /// <summary>The next SSE <c>data:</c> message, or null at the end of the stream.</summary>
    public async Task<JsonObject?> ReadMessageAsync()
    {
        while (await ReadEventAsync() is { } sse)
        {
            if (sse.Message is not null)
            {
                return sse.Message;
            }
        }

        return null;
    }

    /// <summary>The next whole SSE event (id, retry, data), or null at the end of the stream.</summary>
    public Task<SseEvent?> ReadEventAsync() => SseEvent.ReadAsync(reader);

    public void Dispose()
    {
        reader.Dispose();
        Response.Dispose();
        request.Dispose();
    }
}

/// <summary>One Server-Sent Event as the client sees it.</summary>
public sealed record SseEvent(string? Id, string? Retry, JsonObject? Message)
{
    public static async Task<SseEvent?> ReadAsync(StreamReader reader)
    {
        string? id = null, retry = null, data = null;
        var any = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseEvent(id, retry, string.IsNullOrWhiteSpace(data) ? null : JsonNode.Parse(data) as JsonObject);
                }

                continue;
            }

            any = true;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "retry": retry = value; break;
                case "data": data = data is null ? value : data + "\n" + value; break;
            }
        }

        return null;
    }
}
