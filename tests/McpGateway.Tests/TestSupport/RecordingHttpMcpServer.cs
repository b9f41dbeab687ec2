using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// A small Streamable HTTP MCP server (JSON responses only) that records the headers it receives and can forget its
/// sessions, to test what the gateway sends upstream and how it handles an expired upstream session.
/// </summary>
public sealed class RecordingHttpMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _sessions = new();
    private int _initializeCount;

    private RecordingHttpMcpServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<IHeaderDictionary> Requests { get; } = new();

    public int InitializeCount => _initializeCount;

    public static async Task<RecordingHttpMcpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordingHttpMcpServer(app);
        app.MapPost("/mcp", server.HandleAsync);
        app.MapGet("/mcp", () => Results.StatusCode(StatusCodes.Status405MethodNotAllowed));
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
        var message = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        var method = (string?)message["method"];
        var id = message["id"]?.DeepClone();
        if (method == "initialize")
        {
            Interlocked.Increment(ref _initializeCount);
            var sessionId = Guid.NewGuid().ToString("N");
            _sessions[sessionId] = true;
            context.Response.Headers["Mcp-Session-Id"] = sessionId;
            await WriteAsync(context, id, new JsonObject
            {
                ["protocolVersion"] = (string?)message["params"]?["protocolVersion"],
                ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                ["serverInfo"] = new JsonObject { ["name"] = "recording", ["version"] = "1" },
            });
            return;
        }

        if (!_sessions.ContainsKey(context.Request.Headers["Mcp-Session-Id"].ToString()))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (id is null)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        await WriteAsync(context, id, method switch
        {
            "tools/list" => new JsonObject { ["tools"] = new JsonArray(new JsonObject { ["name"] = "whoami", ["inputSchema"] = new JsonObject { ["type"] = "object" } }) },
            _ => new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = $"served {method}" }) },
        });
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
