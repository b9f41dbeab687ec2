using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Observability;
using McpGateway.Tests.TestSupport;
using McpGateway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.Observability;

/// <summary>
/// OTLP export against a real OTLP/HTTP receiver. Stopping the gateway flushes what is pending, so each test stops it
/// and then reads what the receiver holds: no waiting on export intervals.
/// </summary>
public sealed class OtlpExportTests
{
    private const string ServiceName = "gateway-under-test";

    [Fact]
    public async Task ToolsCall_WithTraceparent_ExportsGatewaySpansInTheClientsTraceAndGatewayMetrics()
    {
        // Needs the gateway's own spans and meter (GatewayTelemetry); OTLP export adds none of its own.
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var gateway = await StartGatewayAsync(receiver.Endpoint);
        var (traceId, clientSpanId, traceparent) = NewTraceparent();

        await CallEchoAsync(gateway, traceparent);
        await gateway.App.StopAsync();

        var trace = receiver.Spans.Where(s => s.TraceId == traceId).ToList();
        var gatewaySpans = trace.Where(s => s.Scope == GatewayTelemetry.ActivitySourceName).ToList();
        gatewaySpans.Should().NotBeEmpty("the gateway records a span for each MCP request, its policy steps and the upstream call");
        var byId = trace.ToDictionary(s => s.SpanId);
        foreach (var span in gatewaySpans)
        {
            // Each gateway span descends from the client's span (directly or through ASP.NET Core's request span).
            var ancestor = span;
            while (ancestor.ParentSpanId != clientSpanId && byId.TryGetValue(ancestor.ParentSpanId, out var parent))
            {
                ancestor = parent;
            }

            ancestor.ParentSpanId.Should().Be(clientSpanId, $"span '{span.Name}' belongs under the client's span");
            span.Resource.Should().Contain("service.name", ServiceName);
        }

        receiver.Metrics.Where(m => m.Scope == GatewayTelemetry.MeterName).Should().NotBeEmpty("the gateway's meter is exported");
    }

    [Fact]
    public async Task Request_WithTraceparent_ExportsHttpServerSpanWithResourceAndConfiguredHeaders()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var gateway = await StartGatewayAsync(receiver.Endpoint, "headers: { x-collector-key: test-key }");
        var (traceId, clientSpanId, traceparent) = NewTraceparent();

        await CallEchoAsync(gateway, traceparent);
        await gateway.App.StopAsync();

        var server = receiver.Spans.Should().ContainSingle(s => s.TraceId == traceId && s.Scope == "Microsoft.AspNetCore").Subject;
        server.ParentSpanId.Should().Be(clientSpanId);
        server.Kind.Should().Be(SpanKind.Server);
        server.Resource.Should().Contain("service.name", ServiceName);
        server.Resource.Should().Contain("service.version", GatewayVersion.Current);
        server.Resource.Should().ContainKey("service.instance.id").WhoseValue.Should().NotBeEmpty();
        receiver.Requests.Should().Contain(r => r.Path == "/v1/traces")
            .And.OnlyContain(r => r.Headers["x-collector-key"] == "test-key");
    }

    [Fact]
    public async Task SpanFromGatewaySource_BeforeStop_IsExportedWithItsScope()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var gateway = await StartGatewayAsync(receiver.Endpoint);
        var name = "test-span-" + Guid.NewGuid().ToString("N");

        string traceId;
        using (var activity = GatewayTelemetry.Source.StartActivity(name, ActivityKind.Internal))
        {
            activity.Should().NotBeNull("the gateway's source has a listener while OTLP export is configured");
            activity!.SetTag("mcp.test", "yes");
            traceId = activity.TraceId.ToHexString();
        }

        await gateway.App.StopAsync();

        var span = receiver.Spans.Should().ContainSingle(s => s.Name == name).Subject;
        span.Scope.Should().Be(GatewayTelemetry.ActivitySourceName);
        span.TraceId.Should().Be(traceId);
        span.Kind.Should().Be(SpanKind.Internal);
        span.Attributes.Should().Contain("mcp.test", "yes");
    }

    [Fact]
    public async Task Requests_WithMetricsEnabled_ExportRuntimeAndHttpServerMetricsOnStop()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var gateway = await StartGatewayAsync(receiver.Endpoint, "exportIntervalSeconds: 3600");

        await CallEchoAsync(gateway, traceparent: null);
        await gateway.App.StopAsync();

        var metrics = receiver.Metrics;
        metrics.Should().Contain(m => m.Scope == "Microsoft.AspNetCore.Hosting" && m.Name == "http.server.request.duration");
        metrics.Should().Contain(m => m.Scope == "System.Runtime" && m.Name.StartsWith("dotnet.", StringComparison.Ordinal));
        metrics.Should().OnlyContain(m => m.Resource["service.name"] == ServiceName);
        receiver.Requests.Should().Contain(r => r.Path == "/v1/metrics");
    }

    [Fact]
    public async Task GrpcProtocol_ExportsSpansAndMetricsOverGrpc()
    {
        await using var receiver = await OtlpReceiver.StartAsync(grpc: true);
        await using var gateway = await StartGatewayAsync(receiver.Endpoint, "protocol: grpc");
        var (traceId, clientSpanId, traceparent) = NewTraceparent();

        await CallEchoAsync(gateway, traceparent);
        await gateway.App.StopAsync();

        receiver.Spans.Should().Contain(s => s.TraceId == traceId && s.ParentSpanId == clientSpanId && s.Resource["service.name"] == ServiceName);
        receiver.Metrics.Should().Contain(m => m.Scope == "Microsoft.AspNetCore.Hosting");
        receiver.Requests.Select(r => r.Path).Should().Contain("/opentelemetry.proto.collector.trace.v1.TraceService/Export")
            .And.Contain("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export");
    }

    [Fact]
    public async Task TracesOnly_ExportsNoMetrics()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var gateway = await StartGatewayAsync(receiver.Endpoint, "metrics: false");

        await CallEchoAsync(gateway, NewTraceparent().Traceparent);
        await gateway.App.StopAsync();

        gateway.Services.GetRequiredService<OtlpExport>().MeterProvider.Should().BeNull();
        receiver.Requests.Should().Contain(r => r.Path == "/v1/traces").And.NotContain(r => r.Path == "/v1/metrics");
    }

    [Fact]
    public async Task NoEndpointConfigured_CreatesNoOpenTelemetryProvider()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        gateway.Services.GetService<OtlpExport>().Should().BeNull();
        gateway.Services.GetServices<IHostedService>().OfType<OtlpExport>().Should().BeEmpty();
        gateway.Logs.CountEvents(3901).Should().Be(0);
    }

    [Fact]
    public async Task CollectorDown_RequestsStillSucceedAndTheExportFailureIsLogged()
    {
        Uri deadEndpoint;
        await using (var stopped = await OtlpReceiver.StartAsync())
        {
            deadEndpoint = stopped.Endpoint;
        }

        await using var gateway = await StartGatewayAsync(deadEndpoint);
        (await gateway.Logs.WaitForEventAsync(3901)).Message.Should().Contain(deadEndpoint.Authority);

        var answer = await CallEchoAsync(gateway, NewTraceparent().Traceparent);
        answer["result"]!["content"]![0]!["text"]!.GetValue<string>().Should().Contain("traced");

        await gateway.App.StopAsync();
        var failure = await gateway.Logs.WaitForEventAsync(3902, l => l.Message.Contains("/v1/traces", StringComparison.Ordinal));
        failure.Level.Should().Be(LogLevel.Error);
        failure.Message.Should().Contain(deadEndpoint.Authority).And.Contain("Connection refused").And.NotContain("\n", "the stack trace is left out");
    }

    private static async Task<GatewayHarness> StartGatewayAsync(Uri endpoint, string otlpSettings = "") => await GatewayHarness.StartAsync($"""
        observability:
          serviceName: {ServiceName}
          otlp:
            endpoint: {endpoint}
            {otlpSettings}
        mcpServers:
        {GatewayHarness.DemoServer("demo")}
        """);

    private static async Task<JsonObject> CallEchoAsync(GatewayHarness gateway, string? traceparent)
    {
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var response = await client.PostAsync(
            client.Request("tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "traced" } }),
            request =>
            {
                if (traceparent is not null)
                {
                    request.Headers.Add("traceparent", traceparent);
                }
            });
        response.Status.Should().Be(HttpStatusCode.OK, response.Body);
        response.Last["error"].Should().BeNull();
        return response.Last;
    }

    private static (string TraceId, string SpanId, string Traceparent) NewTraceparent()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var spanId = ActivitySpanId.CreateRandom().ToHexString();
        return (traceId, spanId, $"00-{traceId}-{spanId}-01");
    }
}
