using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Observability;

/// <summary>Spans of a real gateway: parented to the caller's W3C context, and passed on to the upstream.</summary>
public sealed class GatewayTracingTests
{
    private static JsonObject Call(string tool, JsonObject? meta = null)
    {
        var parameters = new JsonObject { ["name"] = tool, ["arguments"] = new JsonObject() };
        if (meta is not null)
        {
            parameters["_meta"] = meta;
        }

        return parameters;
    }

    [Fact]
    public async Task ToolCall_WithTraceparentHeader_ServerSpanContinuesIt_UpstreamSpanIsChild_AndUpstreamGetsItInMeta()
    {
        using var spans = new SpanRecorder();
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var caller = SpanRecorder.NewCallerContext();

        var exchange = await client.PostAsync(client.Request("tools/call", Call("meta")), r => r.Headers.Add("traceparent", caller.TraceParent));

        var answer = exchange.Messages[^1];
        var trace = spans.InTrace(caller.TraceId);
        var server = trace.Should().ContainSingle(a => a.Kind == ActivityKind.Server).Subject;
        server.DisplayName.Should().Be("tools/call meta");
        IsDescendantOf(server, caller.SpanId).Should().BeTrue("the server span continues the trace the client sent");
        server.GetTagItem("mcp.method.name").Should().Be("tools/call");
        server.GetTagItem("gen_ai.tool.name").Should().Be("meta");
        server.GetTagItem("gateway.server").Should().Be("demo");
        server.GetTagItem("mcp.session.id").Should().Be(client.SessionId);
        server.GetTagItem("mcp.protocol.version").Should().Be("2025-11-25");
        server.Status.Should().Be(ActivityStatusCode.Unset);
        var upstream = trace.Should().ContainSingle(a => a.Kind == ActivityKind.Client).Subject;
        IsDescendantOf(upstream, server.SpanId).Should().BeTrue("the upstream span sits under the server span (policy filters may add internal spans between)");
        upstream.DisplayName.Should().Be("tools/call demo");
        upstream.GetTagItem("gateway.server").Should().Be("demo");
        ((string?)answer["result"]?["structuredContent"]?["traceparent"]).Should().Be(upstream.Id, answer.ToJsonString());
    }

    [Fact]
    public async Task ToolCall_WithTraceparentInMetaAndHeader_MetaWins()
    {
        using var spans = new SpanRecorder();
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var inMeta = SpanRecorder.NewCallerContext();
        var inHeader = SpanRecorder.NewCallerContext();

        var exchange = await client.PostAsync(
            client.Request("tools/call", Call("meta", new JsonObject { ["traceparent"] = inMeta.TraceParent, ["tracestate"] = "vendor=abc" })),
            r => r.Headers.Add("traceparent", inHeader.TraceParent));

        spans.InTrace(inHeader.TraceId).Should().BeEmpty();
        var server = spans.InTrace(inMeta.TraceId).Should().ContainSingle(a => a.Kind == ActivityKind.Server).Subject;
        server.ParentSpanId.Should().Be(inMeta.SpanId);
        server.TraceStateString.Should().Be("vendor=abc");
        var upstream = spans.InTrace(inMeta.TraceId).Should().ContainSingle(a => a.Kind == ActivityKind.Client).Subject;
        var meta = exchange.Messages[^1]["result"]?["structuredContent"];
        ((string?)meta?["traceparent"]).Should().Be(upstream.Id);
        ((string?)meta?["tracestate"]).Should().Be("vendor=abc");
    }

    [Fact]
    public async Task ToolCall_UpstreamError_MarksServerAndUpstreamSpansFailed()
    {
        using var spans = new SpanRecorder();
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var caller = SpanRecorder.NewCallerContext();

        await client.PostAsync(client.Request("tools/call", Call("no_such_tool")), r => r.Headers.Add("traceparent", caller.TraceParent));

        var trace = spans.InTrace(caller.TraceId);
        var server = trace.Should().ContainSingle(a => a.Kind == ActivityKind.Server).Subject;
        server.Status.Should().Be(ActivityStatusCode.Error);
        server.GetTagItem("error.type").Should().Be("-32602");
        trace.Should().ContainSingle(a => a.Kind == ActivityKind.Client).Which.Status.Should().Be(ActivityStatusCode.Error);
    }

    [Fact]
    public async Task ToolCall_ToHttpUpstream_TraceparentHeaderIsHttpClientSpanUnderUpstreamSpan()
    {
        // HttpClient starts its own span under Activity.Current (the gateway's upstream span) and sends that one. The
        // host's request span is recorded here on purpose: other tests' listeners (OTLP export) may record it at any
        // time, and the gateway then parents its span to it, so only the recorded case is deterministic.
        using var spans = new SpanRecorder("System.Net.Http", "Microsoft.AspNetCore");
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              remote: {"{"} url: "{upstream.Endpoint}", transport: streamable-http {"}"}
            """);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));
        await client.InitializeAsync();
        var caller = SpanRecorder.NewCallerContext();

        await client.PostAsync(client.Request("tools/call", Call("whoami")), r => r.Headers.Add("traceparent", caller.TraceParent));

        var trace = spans.InTrace(caller.TraceId);
        var server = trace.Should().ContainSingle(a => a.Kind == ActivityKind.Server && a.Source.Name == "McpGateway").Subject;
        var host = spans.StartedInTrace(caller.TraceId).Should().ContainSingle(a => a.Source.Name == "Microsoft.AspNetCore" && a.SpanId == server.ParentSpanId,
            "a recorded host request span is the gateway span's parent").Subject;
        host.ParentSpanId.Should().Be(caller.SpanId, "the host continued the client's traceparent header");
        var upstreamSpan = trace.Should().ContainSingle(a => a.Kind == ActivityKind.Client && a.Source.Name == "McpGateway").Subject;
        var httpSpan = trace.Should().ContainSingle(a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == upstreamSpan.SpanId).Subject;
        upstream.Requests.Select(h => h["traceparent"].ToString()).Should().Contain(httpSpan.Id);
    }

    [Fact]
    public async Task ToolCall_WithoutListener_LeavesMetaUntouched()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync();

        // Another test's listener may be sampling at the same time; this one asks the upstream whether it was told anything.
        var answer = await client.CallAsync("tools/call", Call("meta", new JsonObject { ["custom"] = "kept" }));

        var meta = (JsonObject?)answer["result"]?["structuredContent"];
        meta.Should().NotBeNull(answer.ToJsonString());
        ((string?)meta!["custom"]).Should().Be("kept");
        if (meta["traceparent"] is { } traceparent)
        {
            // Only a sampled gateway span may be announced, and then it is a valid W3C context.
            ActivityContext.TryParse((string?)traceparent, null, out _).Should().BeTrue();
        }
    }

    private static bool IsDescendantOf(Activity activity, ActivitySpanId ancestor)
    {
        for (var current = activity; current is not null; current = current.Parent)
        {
            if (current.ParentSpanId == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}
