using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>
/// Many fake Streamable HTTP MCP servers in one Kestrel app, at <c>/s{i}/mcp</c> (and <c>/mcp</c> = <c>/s0/mcp</c>). Each has <c>echo</c> plus
/// numbered tools, gives out an <c>Mcp-Session-Id</c> on <c>initialize</c>, answers every POST with plain JSON
/// (never SSE), answers GET with 405 (no standalone stream) and DELETE with 200. Kept small and allocation-light so
/// that what the benchmark sees is the gateway, not this.
/// </summary>
internal sealed class FakeUpstreams : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _servers;
    private readonly EchoAnswers _answers;
    private readonly ConcurrentDictionary<string, int> _sessions = new(StringComparer.Ordinal);
    private long _initializes;
    private long _requests;
    private long _gets;

    private FakeUpstreams(WebApplication app, int servers, int toolsPerServer)
    {
        _app = app;
        _servers = servers;
        _answers = new EchoAnswers(servers, toolsPerServer);
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    public long Initializes => Interlocked.Read(ref _initializes);

    public long Requests => Interlocked.Read(ref _requests);

    public int LiveSessions => _sessions.Count;

    /// <summary>GET requests (standalone SSE stream attempts), answered 405.</summary>
    public long Gets => Interlocked.Read(ref _gets);

    public int ToolsListBytes(int server) => _answers.ToolsListBytes(server);

    public string Endpoint(int server) => $"{BaseUrl}/s{server}/mcp";

    /// <param name="url">Where to listen; port 0 picks a free one (read <see cref="BaseUrl"/>).</param>
    public static async Task<FakeUpstreams> StartAsync(int servers, int toolsPerServer, string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(url);
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

    /// <summary><c>/s{i}/mcp</c> → i, <c>/mcp</c> → 0 (the echo server of the comparative run), or -1.</summary>
    private int ParseServer(string? path)
    {
        if (path == "/mcp")
        {
            return 0;
        }

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
        if (method == "initialize")
        {
            Interlocked.Increment(ref _initializes);
            newSession = Guid.NewGuid().ToString("N");
            _sessions[newSession] = server;
            _answers.Write(server, method, id, message, output);
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

        _answers.Write(server, method, id, message, output);
        return StatusCodes.Status200OK;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
