using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>
/// Many fake Streamable HTTP MCP servers in one Kestrel app, at <c>/s{i}/mcp</c>. Each has <c>echo</c> plus
/// numbered tools, gives out an <c>Mcp-Session-Id</c> on <c>initialize</c>, answers every POST with plain JSON
/// (never SSE), answers GET with 405 (no standalone stream) and DELETE with 200. Kept small and allocation-light so
/// that what the benchmark sees is the gateway, not this.
/// </summary>
internal sealed class FakeUpstreams : IAsyncDisposable
{
    private static readonly string[] KnownVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    private readonly WebApplication _app;
    private readonly int _servers;
    private readonly byte[][] _toolsListResults;
    private readonly ConcurrentDictionary<string, int> _sessions = new(StringComparer.Ordinal);
    private long _initializes;
    private long _requests;
    private long _gets;

    private FakeUpstreams(WebApplication app, int servers, int toolsPerServer)
    {
        _app = app;
        _servers = servers;
        _toolsListResults = new byte[servers][];
        for (var i = 0; i < servers; i++)
        {
            _toolsListResults[i] = BuildToolsList(i, toolsPerServer);
        }
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    public long Initializes => Interlocked.Read(ref _initializes);

    public long Requests => Interlocked.Read(ref _requests);

    public int LiveSessions => _sessions.Count;

    /// <summary>GET requests (standalone SSE stream attempts), answered 405.</summary>
    public long Gets => Interlocked.Read(ref _gets);

    public int ToolsListBytes(int server) => _toolsListResults[server].Length;

    public string Endpoint(int server) => $"{BaseUrl}/s{server}/mcp";

    public static async Task<FakeUpstreams> StartAsync(int servers, int toolsPerServer)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstreams = new FakeUpstreams(app, servers, toolsPerServer);
        app.Run(upstreams.HandleAsync);
        await app.StartAsync();
        upstreams.BaseUrl = app.Urls.First().TrimEnd('/');
        return upstreams;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var server = ParseServer(context.Request.Path.Value);
        if (server < 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        switch (context.Request.Method)
        {
            case "POST":
                await PostAsync(context, server);
                return;
            case "DELETE":
                _sessions.TryRemove(context.Request.Headers["Mcp-Session-Id"].ToString(), out _);
                context.Response.StatusCode = StatusCodes.Status200OK;
                return;
            default:
                Interlocked.Increment(ref _gets);
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
        }
    }

    /// <summary><c>/s{i}/mcp</c> → i, or -1.</summary>
    private int ParseServer(string? path)
    {
        if (path is null || !path.StartsWith("/s", StringComparison.Ordinal) || !path.EndsWith("/mcp", StringComparison.Ordinal))
        {
            return -1;
        }

        var digits = path.AsSpan(2, path.Length - 2 - 4);
        return int.TryParse(digits, out var index) && index >= 0 && index < _servers ? index : -1;
    }

    private async Task PostAsync(HttpContext context, int server)
    {
        Interlocked.Increment(ref _requests);
        var reader = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(context.RequestAborted);
            if (read.IsCompleted)
            {
                break;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        var output = new ArrayBufferWriter<byte>(512);
        int status;
        string? newSession = null;
        try
        {
            using var document = JsonDocument.Parse(read.Buffer);
            status = Answer(context, server, document.RootElement, output, out newSession);
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }

        context.Response.StatusCode = status;
        if (newSession is not null)
        {
            context.Response.Headers["Mcp-Session-Id"] = newSession;
        }

        if (output.WrittenCount > 0)
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = output.WrittenCount;
            await context.Response.BodyWriter.WriteAsync(output.WrittenMemory, context.RequestAborted);
        }
    }

    private int Answer(HttpContext context, int server, JsonElement message, ArrayBufferWriter<byte> output, out string? newSession)
    {
        newSession = null;
        var method = message.TryGetProperty("method"u8, out var m) ? m.GetString() : null;
        var hasId = message.TryGetProperty("id"u8, out var id);
        var parameters = message.TryGetProperty("params"u8, out var p) ? p : default;

        if (method == "initialize")
        {
            Interlocked.Increment(ref _initializes);
            newSession = Guid.NewGuid().ToString("N");
            _sessions[newSession] = server;
            var requested = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("protocolVersion"u8, out var v) ? v.GetString() : null;
            var version = requested is not null && Array.IndexOf(KnownVersions, requested) >= 0 ? requested : "2025-06-18";
            using var w = Begin(output, id);
            w.WriteStartObject("result");
            w.WriteString("protocolVersion", version);
            w.WriteStartObject("capabilities");
            w.WriteStartObject("tools");
            w.WriteBoolean("listChanged", false);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("serverInfo");
            w.WriteString("name", $"fake-s{server}");
            w.WriteString("version", "1.0.0");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            return StatusCodes.Status200OK;
        }

        var sessionId = context.Request.Headers["Mcp-Session-Id"].ToString();
        if (sessionId.Length == 0)
        {
            return StatusCodes.Status400BadRequest;
        }

        if (!_sessions.ContainsKey(sessionId))
        {
            return StatusCodes.Status404NotFound;
        }

        if (!hasId || method is null)
        {
            // Notifications (initialized, cancelled, …) and responses.
            return StatusCodes.Status202Accepted;
        }

        switch (method)
        {
            case "tools/list":
            {
                using var w = Begin(output, id);
                w.WritePropertyName("result"u8);
                w.WriteRawValue(_toolsListResults[server], skipInputValidation: true);
                w.WriteEndObject();
                return StatusCodes.Status200OK;
            }

            case "tools/call":
            {
                var name = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("name"u8, out var n) ? n.GetString() : null;
                var arguments = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("arguments"u8, out var a) ? a : default;
                using var w = Begin(output, id);
                if (name is null || !(name == "echo" || name.StartsWith("tool", StringComparison.Ordinal)))
                {
                    w.WriteStartObject("error");
                    w.WriteNumber("code", -32602);
                    w.WriteString("message", $"Unknown tool: {name}");
                    w.WriteEndObject();
                    w.WriteEndObject();
                    return StatusCodes.Status200OK;
                }

                w.WriteStartObject("result");
                w.WriteStartArray("content");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WritePropertyName("text"u8);
                if (name == "echo" && arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty("message"u8, out var text) && text.ValueKind == JsonValueKind.String)
                {
                    text.WriteTo(w);
                }
                else
                {
                    w.WriteStringValue("ok");
                }

                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteBoolean("isError", false);
                w.WriteEndObject();
                w.WriteEndObject();
                return StatusCodes.Status200OK;
            }

            case "ping":
            {
                using var w = Begin(output, id);
                w.WriteStartObject("result");
                w.WriteEndObject();
                w.WriteEndObject();
                return StatusCodes.Status200OK;
            }

            default:
            {
                using var w = Begin(output, id);
                w.WriteStartObject("error");
                w.WriteNumber("code", -32601);
                w.WriteString("message", $"Method not found: {method}");
                w.WriteEndObject();
                w.WriteEndObject();
                return StatusCodes.Status200OK;
            }
        }
    }

    /// <summary>Starts <c>{"jsonrpc":"2.0","id":…</c>; the caller writes result or error and the closing brace.</summary>
    private static Utf8JsonWriter Begin(ArrayBufferWriter<byte> output, JsonElement id)
    {
        var w = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        w.WriteStartObject();
        w.WriteString("jsonrpc"u8, "2.0"u8);
        w.WritePropertyName("id"u8);
        id.WriteTo(w);
        return w;
    }

    /// <summary>The <c>result</c> of one server's tools/list: <c>echo</c> plus tool01…, with realistic descriptions and schemas.</summary>
    private static byte[] BuildToolsList(int server, int tools)
    {
        var output = new ArrayBufferWriter<byte>(tools * 400);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteStartArray("tools");
            for (var t = 0; t < tools; t++)
            {
                var name = t == 0 ? "echo" : $"tool{t:00}";
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("description", t == 0
                    ? "Returns the message it is given, unchanged."
                    : $"Tool {t} of fake server s{server}: does nothing useful, but its description is about as long as a real one.");
                w.WriteStartObject("inputSchema");
                w.WriteString("type", "object");
                w.WriteStartObject("properties");
                w.WriteStartObject("message");
                w.WriteString("type", "string");
                w.WriteString("description", "Text to process");
                w.WriteEndObject();
                w.WriteStartObject("count");
                w.WriteString("type", "integer");
                w.WriteNumber("minimum", 0);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartArray("required");
                w.WriteStringValue("message");
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("annotations");
                w.WriteBoolean("readOnlyHint", true);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
