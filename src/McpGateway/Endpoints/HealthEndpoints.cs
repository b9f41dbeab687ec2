using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace McpGateway.Endpoints;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: config loaded and Kestrel listening.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Text("""{"status":"ok"}""", "application/json"));
        routes.MapGet("/readyz", (IHostApplicationLifetime lifetime, IGatewayConfigProvider config, SessionStore sessions) =>
        {
            var ready = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;
            var servers = new JsonArray();
            foreach (var server in config.Current.Servers)
            {
                servers.Add(new JsonObject
                {
                    ["name"] = server.Name,
                    ["transport"] = server.Transport.ToString(),
                    ["enabled"] = server.Enabled,
                });
            }

            var body = new JsonObject
            {
                ["status"] = ready ? "ready" : "starting",
                ["config"] = config.Current.Source,
                ["sessions"] = sessions.Count,
                ["servers"] = servers,
            };
            return TypedResults.Text(body.ToJsonString(), "application/json", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }
}
