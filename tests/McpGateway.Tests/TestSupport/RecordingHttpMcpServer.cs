using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// A small Streamable HTTP MCP server that records the headers it receives and can forget its sessions, to test what the
/// gateway sends upstream and how it handles an expired upstream session. Answers are JSON, except for the tools
/// <c>broken_stream</c> (an SSE response that breaks after its priming event; GET + Last-Event-ID delivers the answer),
/// <c>rejected</c> (HTTP 400 with a JSON-RPC error body) and <c>hang</c> (never answers; see <see cref="HangAbandoned"/>).
/// </summary>
public sealed class RecordingHttpMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _sessions = new();
    private int _initializeCount;
    private JsonNode? _brokenRequestId;

    private RecordingHttpMcpServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<IHeaderDictionary> Requests { get; } = new();

    public int InitializeCount => _initializeCount;

    /// <summary>The method of every POSTed message, in arrival order (failed ones included).</summary>
    public ConcurrentQueue<string> Methods { get; } = new();

    private int _failNext;

    /// <summary>The next <paramref name="count"/> requests (not initialize, not notifications) fail with HTTP 503 before reaching MCP.</summary>
    public void FailNextRequests(int count) => Volatile.Write(ref _failNext, count);

    /// <summary>Annotates <c>whoami</c> with <c>readOnlyHint: true</c> (a call the gateway may repeat).</summary>
    public bool WhoamiReadOnly { get; set; }

    /// <summary>The tool name of every tools/call that reached this server, in order.</summary>
    public ConcurrentQueue<string> ToolCalls { get; } = new();

    /// <summary>Headers of every GET (stream resumption and standalone streams).</summary>
    public ConcurrentQueue<IHeaderDictionary> GetRequests { get; } = new();

    /// <summary>When set and true for a request's headers, the request is answered 401 (after it is recorded).</summary>
    public Func<IHeaderDictionary, bool>? Unauthorized { get; set; }

    /// <summary>Completes when the gateway closes the HTTP request of a <c>hang</c> call.</summary>
    /// <summary>The <c>whoami</c> tool's description (none when null); change it between lists to play a "rug pull".</summary>
    public string? WhoamiDescription { get; set; }

    /// <summary>The <c>whoami</c> tool's inputSchema as JSON text.</summary>
    public string WhoamiInputSchema { get; set; } = """{"type":"object"}""";

    public TaskCompletionSource HangAbandoned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a <c>hang</c> call has arrived.</summary>
    public TaskCompletionSource HangStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<RecordingHttpMcpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordingHttpMcpServer(app);
        app.MapPost("/mcp", server.HandleAsync);
        app.MapGet("/mcp", server.HandleGetAsync);
        app.MapDelete("/mcp", () => Results.Ok());
        await app.StartAsync();
        server.Endpoint = new Uri(app.Urls.First() + "/mcp");
        return server;
    }

    /// <summary>Every session id it gave out becomes unknown (as after a restart): the next request gets 404.</summary>
    public void ForgetSessions() => _sessions.Clear();

    private async Task HandleAsync(HttpContext context)
    {
        Requests.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
        if (Unauthorized?.Invoke(context.Request.Headers) == true)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var message = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        var method = (string?)message["method"];
        var id = message["id"]?.DeepClone();
        Methods.Enqueue(method ?? "<response>");
        if (id is not null && method != "initialize" && Interlocked.Decrement(ref _failNext) >= 0)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        if (method == "initialize")
        {
            Interlocked.Increment(ref _initializeCount);
            var newSessionId = Guid.NewGuid().ToString("N");
            _sessions[newSessionId] = true;
            context.Response.Headers["Mcp-Session-Id"] = newSessionId;
            await WriteAsync(context, id, new JsonObject
            {
                ["protocolVersion"] = (string?)message["params"]?["protocolVersion"],
                ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                ["serverInfo"] = new JsonObject { ["name"] = "recording", ["version"] = "1" },
            });
            return;
        }

        var sessionId = context.Request.Headers["Mcp-Session-Id"].ToString();
        if (!_sessions.ContainsKey(sessionId))
        {
            if (sessionId.Length == 0)
            {
                // As the spec asks, and with the TypeScript SDK's body: 400 without a session id, 404 for an unknown one.
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}""");
                return;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (id is null)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        if (method == "tools/call")
        {
            ToolCalls.Enqueue((string?)message["params"]?["name"] ?? string.Empty);
        }

        switch ((string?)message["params"]?["name"])
        {
            case "broken_stream":
                _brokenRequestId = id;
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("id: s1\nretry: 10\ndata: \n\n");
                return;
            case "huge":
                await WriteAsync(context, id, new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = new string('h', 100_000) }) });
                return;
            case "rejected":
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["error"] = new JsonObject { ["code"] = -32602, ["message"] = "arguments rejected upstream" } }.ToJsonString());
                return;
            case "header":
                // The value of the request header named by the `name` argument, as this upstream received it.
                var header = context.Request.Headers[(string?)message["params"]?["arguments"]?["name"] ?? string.Empty].ToString();
                await WriteAsync(context, id, new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = header.Length == 0 ? "<none>" : header }) });
                return;
            case "hang":
                HangStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    HangAbandoned.TrySetResult();
                }

                return;
        }

        await WriteAsync(context, id, method switch
        {
            "tools/list" => new JsonObject { ["tools"] = new JsonArray(WhoamiTool(), BoundedTool()) },
            _ => new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = $"served {method}" }) },
        });
    }

    private JsonObject WhoamiTool()
    {
        var tool = new JsonObject { ["name"] = "whoami", ["inputSchema"] = JsonNode.Parse(WhoamiInputSchema) };
        if (WhoamiReadOnly)
        {
            tool["annotations"] = new JsonObject { ["readOnlyHint"] = true };
        }

        if (WhoamiDescription is { } description)
        {
            tool["description"] = description;
        }

        return tool;
    }

    /// <summary>A tool with a schema that refuses counts above 10 (argument validation tests).</summary>
    private static JsonObject BoundedTool() => new()
    {
        ["name"] = "bounded",
        ["inputSchema"] = JsonNode.Parse("""{"type":"object","properties":{"count":{"type":"integer","maximum":10},"tags":{"type":"array","items":{"type":"string"}}},"required":["count"]}"""),
    };

    /// <summary>No standalone stream (405); a GET that resumes the broken stream gets the answer it was missing.</summary>
    private async Task HandleGetAsync(HttpContext context)
    {
        GetRequests.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
        if (context.Request.Headers["Last-Event-ID"] != "s1" || _brokenRequestId is null)
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var answer = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = _brokenRequestId.DeepClone(),
            ["result"] = new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "resumed answer" }) },
        };
        await context.Response.WriteAsync($"id: s2\ndata: {answer.ToJsonString()}\n\n");
    }

    private static async Task WriteAsync(HttpContext context, JsonNode? id, JsonObject result)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
