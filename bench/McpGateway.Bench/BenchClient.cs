using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>
/// A minimal Streamable HTTP MCP client: one session, JSON-RPC over POST, the same code against the fake upstream
/// and the gateway so that its own cost cancels out in "gateway minus direct". Reads plain JSON answers, and SSE
/// answers (what 2025-11-25 sessions on the gateway get) by taking the event that carries the response.
/// </summary>
internal sealed class BenchClient(HttpClient http, string endpoint, string protocolVersion) : IBenchSession
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptSse = new("text/event-stream");
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly Uri _endpoint = new(endpoint);
    private string? _sessionId;
    private long _nextId;

    public string Endpoint => endpoint;

    public string? SessionId => _sessionId;

    /// <summary>One HTTP client for every bench client: pooled keep-alive connections on loopback, no proxy.</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary><c>initialize</c> (remembering the session id), then <c>notifications/initialized</c>.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var parameters = $$$"""{"protocolVersion":"{{{protocolVersion}}}","capabilities":{},"clientInfo":{"name":"mcp-gateway-bench","version":"1.0.0"}}""";
        using (var answer = await RequestAsync("initialize", parameters, cancellationToken))
        {
            var version = answer.RootElement.GetProperty("result"u8).GetProperty("protocolVersion"u8).GetString();
            if (version != protocolVersion)
            {
                throw new InvalidOperationException($"{endpoint}: asked for protocol {protocolVersion}, got {version}");
            }
        }

        if (_sessionId is null)
        {
            throw new InvalidOperationException($"{endpoint}: initialize returned no Mcp-Session-Id");
        }

        await NotifyAsync("notifications/initialized", cancellationToken);
    }

    /// <summary>Sends a request and returns the whole answer (a JSON-RPC response); a JSON-RPC error throws.</summary>
    public async Task<JsonDocument> RequestAsync(string method, string? parametersJson, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = parametersJson is null
            ? $$"""{"jsonrpc":"2.0","id":{{id.ToString(CultureInfo.InvariantCulture)}},"method":"{{method}}"}"""
            : $$"""{"jsonrpc":"2.0","id":{{id.ToString(CultureInfo.InvariantCulture)}},"method":"{{method}}","params":{{parametersJson}}}""";
        using var request = NewRequest(HttpMethod.Post, body);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"{endpoint} {method}: HTTP {(int)response.StatusCode}: {text}");
        }

        if (method == "initialize" && response.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            _sessionId = ids.First();
        }

        JsonDocument document;
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            document = FromEventStream(await response.Content.ReadAsByteArrayAsync(cancellationToken), method);
        }
        else
        {
            // Parsed from the stream into pooled buffers: large lists do not land on the large object heap.
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }

        if (document.RootElement.TryGetProperty("error"u8, out var error))
        {
            var text = error.GetRawText();
            document.Dispose();
            throw new InvalidOperationException($"{endpoint} {method}: JSON-RPC error {text}");
        }

        return document;
    }

    /// <summary><c>tools/call</c> of an echo tool; checks the text comes back.</summary>
    public async Task CallEchoAsync(string tool, string message, CancellationToken cancellationToken = default)
    {
        using var answer = await RequestAsync("tools/call", $$$"""{"name":"{{{tool}}}","arguments":{"message":"{{{message}}}"}}""", cancellationToken);
        var text = answer.RootElement.GetProperty("result"u8).GetProperty("content"u8)[0].GetProperty("text"u8).GetString();
        if (text != message)
        {
            throw new InvalidOperationException($"{endpoint}: {tool} echoed '{text}' instead of '{message}'");
        }
    }

    /// <summary>Drains <c>tools/list</c> across every page; returns the number of tools and of pages.</summary>
    public async Task<(int Tools, int Pages)> ListAllToolsAsync(CancellationToken cancellationToken = default)
    {
        var tools = 0;
        var pages = 0;
        string? cursor = null;
        do
        {
            using var answer = await RequestAsync("tools/list", cursor is null ? "{}" : $$"""{"cursor":"{{cursor}}"}""", cancellationToken);
            var result = answer.RootElement.GetProperty("result"u8);
            tools += result.GetProperty("tools"u8).GetArrayLength();
            pages++;
            cursor = result.TryGetProperty("nextCursor"u8, out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (!string.IsNullOrEmpty(cursor));

        return (tools, pages);
    }

    public async Task NotifyAsync(string method, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Post, $$"""{"jsonrpc":"2.0","method":"{{method}}"}""");
        using var response = await http.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode != 202 && !response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{endpoint} {method}: HTTP {(int)response.StatusCode}");
        }
    }

    /// <summary>Ends the session (DELETE), which releases the gateway's upstream sessions for it.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_sessionId is null)
        {
            return;
        }

        using var request = NewRequest(HttpMethod.Delete, null);
        using var response = await http.SendAsync(request, cancellationToken);
        _sessionId = null;
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string? body)
    {
        var request = new HttpRequestMessage(method, _endpoint) { Version = System.Net.HttpVersion.Version11 };
        request.Headers.Accept.Add(AcceptJson);
        request.Headers.Accept.Add(AcceptSse);
        if (_sessionId is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Session-Id", _sessionId);
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", protocolVersion);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = JsonContentType;
        }

        return request;
    }

    /// <summary>The JSON-RPC response among the events of an SSE body (skips priming events, progress, …).</summary>
    private JsonDocument FromEventStream(byte[] bytes, string method)
    {
        var text = Encoding.UTF8.GetString(bytes);
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
                }
            }

            if (data.Length == 0)
            {
                continue;
            }

            var document = JsonDocument.Parse(data.ToString());
            if (document.RootElement.TryGetProperty("result"u8, out _) || document.RootElement.TryGetProperty("error"u8, out _))
            {
                return document;
            }

            document.Dispose();
        }

        throw new InvalidOperationException($"{endpoint} {method}: the event stream carried no response");
    }
}
