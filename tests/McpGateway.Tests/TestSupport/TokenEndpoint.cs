using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// An OAuth 2.0 token endpoint on loopback (Kestrel, port 0) for the client credentials grant: hands out
/// <c>token-1</c>, <c>token-2</c>, ... with a fixed <c>expires_in</c>, and records every request's form and Authorization header.
/// </summary>
public sealed class TokenEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _issued;

    private TokenEndpoint(WebApplication app, int expiresIn)
    {
        _app = app;
        ExpiresIn = expiresIn;
    }

    public Uri Url { get; private set; } = null!;

    public int ExpiresIn { get; }

    public int RequestCount => Volatile.Read(ref _issued);

    /// <summary>Each token request: its form fields and its Authorization header.</summary>
    public ConcurrentQueue<(Dictionary<string, string> Form, string Authorization)> Requests { get; } = new();

    public static async Task<TokenEndpoint> StartAsync(int expiresIn)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new TokenEndpoint(app, expiresIn);
        app.MapPost("/oauth/token", endpoint.HandleAsync);
        await app.StartAsync();
        endpoint.Url = new Uri(app.Urls.First() + "/oauth/token");
        return endpoint;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        Requests.Enqueue((form.ToDictionary(pair => pair.Key, pair => pair.Value.ToString()), context.Request.Headers.Authorization.ToString()));
        var number = Interlocked.Increment(ref _issued);
        var body = new JsonObject { ["access_token"] = $"token-{number}", ["token_type"] = "Bearer", ["expires_in"] = ExpiresIn };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
