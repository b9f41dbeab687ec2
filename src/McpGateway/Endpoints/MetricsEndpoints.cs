using McpGateway.Observability.Prometheus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Endpoints;

/// <summary><c>GET /metrics</c>: the Prometheus text exposition format 0.0.4. Not an MCP endpoint: no session, no MCP headers.</summary>
internal static class MetricsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        // Resolved while mapping so the collector listens from start-up, not from the first scrape.
        var collector = routes.ServiceProvider.GetRequiredService<PrometheusCollector>();
        routes.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = PrometheusTextWriter.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await collector.WriteAsync(context.Response.BodyWriter, context.RequestAborted);
        });
    }
}
