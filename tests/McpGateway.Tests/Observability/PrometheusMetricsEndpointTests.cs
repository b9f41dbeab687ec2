using System.Diagnostics.Metrics;
using System.Net;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Observability;

/// <summary><c>GET /metrics</c> on a real gateway over HTTP.</summary>
public sealed class PrometheusMetricsEndpointTests
{
    [Fact]
    public async Task Get_PlainRequest_ServesRuntimeAndGatewayFamiliesInTextFormat()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var meter = gateway.Services.GetRequiredService<IMeterFactory>().Create("McpGateway");
        meter.CreateCounter<long>("mcp_gateway_e2e_requests", description: "Registered by the test.")
            .Add(3, new KeyValuePair<string, object?>("server", "demo"));

        using var response = await gateway.Http.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().Should().Be("text/plain; version=0.0.4; charset=utf-8");
        var metrics = PrometheusTextParser.Parse(text);
        metrics.Value("mcp_gateway_e2e_requests_total", ("server", "demo")).Should().Be(3);
        metrics["mcp_gateway_e2e_requests_total"].Help.Should().Be("Registered by the test.");
        metrics.Families.Keys.Should().Contain(["dotnet_gc_collections_total", "dotnet_process_memory_working_set_bytes", "dotnet_exceptions_total"]);
        metrics.Families.Keys.Should().Contain(k => k.StartsWith("kestrel_", StringComparison.Ordinal), "the host's own meters come through the same IMeterFactory");
    }
}
