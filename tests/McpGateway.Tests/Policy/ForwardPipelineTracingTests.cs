using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Policy;
using McpGateway.Sessions;
using McpGateway.Tests.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpGateway.Tests.Policy;

/// <summary>Each policy filter gets an internal span under the request's server span.</summary>
public sealed class ForwardPipelineTracingTests
{
    [Fact]
    public async Task Filters_WhenTraced_EachGetAnInternalSpanUnderTheServerSpan()
    {
        using var spans = new SpanRecorder();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new GatewayConfigProvider(new GatewayConfig()), new NoCircuitStates());
        var pipeline = new ForwardPipeline([new TelemetryFilter(metrics, NullLoggerFactory.Instance, TimeProvider.System), new SeenFilter(), new SeenFilter()]);
        var caller = SpanRecorder.NewCallerContext();
        var request = new JsonRpcRequest
        {
            Id = new RequestId(1),
            Method = "ping",
            Params = new JsonObject { ["_meta"] = new JsonObject { ["traceparent"] = caller.TraceParent } },
        };
        var context = new ForwardContext(new ServerTarget(new ServerConfig { Name = "s", Command = "true" }), request, null, null, CancellationToken.None)
        {
            Handler = c => Task.FromResult<JsonRpcMessage>(new JsonRpcResponse { Id = c.Request.Id, Result = new JsonObject() }),
        };

        await pipeline.InvokeAsync(context);

        var trace = spans.InTrace(caller.TraceId);
        var server = trace.Should().ContainSingle(a => a.Kind == ActivityKind.Server).Subject;
        var filters = trace.Where(a => a.Kind == ActivityKind.Internal).ToList();
        filters.Should().HaveCount(2).And.OnlyContain(a => a.DisplayName == nameof(SeenFilter));
        filters.Should().ContainSingle(a => a.ParentSpanId == server.SpanId);
        filters.Should().ContainSingle(a => filters.Any(outer => outer.SpanId == a.ParentSpanId));
    }

    private sealed class SeenFilter : IForwardFilter
    {
        public Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next) => next(context);
    }
}
