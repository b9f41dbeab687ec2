using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Health;
using McpGateway.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace McpGateway.Endpoints;

/// <summary>
/// <c>/healthz</c>: the process answers. <c>/readyz</c>: config loaded and Kestrel listening, with each upstream's last
/// health check as detail.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Text("""{"status":"ok"}""", "application/json"));
        routes.MapGet("/readyz", (IHostApplicationLifetime lifetime, IGatewayConfigProvider config, SessionStore sessions, ServerHealthRegistry health) =>
        {
            // Readiness is the process's own: an upstream that is down does not make the gateway unready, because a load
            // balancer would then cut clients off from every healthy upstream too (and one bad server would take all replicas
            // out). Upstream health is detail here, and each failing call already answers with an error naming the server.
            var ready = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;
            var servers = new JsonArray();
            var checkedServers = new List<ServerHealth>();
            foreach (var server in config.Current.Servers)
            {
                var entry = new JsonObject
                {
                    ["name"] = server.Name,
                    ["transport"] = server.Transport.ToString(),
                    ["enabled"] = server.Enabled,
                };
                if (health.Find(server.Name) is { } serverHealth)
                {
                    checkedServers.Add(serverHealth);
                    entry["health"] = HealthDetail(serverHealth);
                }
                else if (server.Enabled)
                {
                    entry["health"] = new JsonObject { ["status"] = "off" };
                }

                servers.Add(entry);
            }

            var body = new JsonObject
            {
                ["status"] = ready ? "ready" : "starting",
                ["config"] = config.Current.Source,
                ["sessions"] = sessions.Count,
                ["upstreams"] = ServerHealthRegistry.Summarize(checkedServers),
                ["servers"] = servers,
            };
            return TypedResults.Text(body.ToJsonString(), "application/json", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }

    private static JsonObject HealthDetail(ServerHealth health) => new()
    {
        ["status"] = ServerHealth.Name(health.Status),
        ["latencyMs"] = health.LatencyMs,
        ["lastCheck"] = health.LastCheck?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["consecutiveFailures"] = health.ConsecutiveFailures,
        ["lastError"] = health.LastError,
    };
}
