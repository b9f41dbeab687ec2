using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Upstreams;

/// <summary>
/// A server's traffic policy through a real gateway and a real HTTP upstream: the bulkhead queues and then refuses,
/// retries repeat only safe calls (counted at the upstream), and the circuit breaker opens and shows in the admin API.
/// </summary>
public sealed class TrafficPolicyTests
{
    private static Task<GatewayHarness> StartAsync(RecordingHttpMcpServer upstream, string settings) =>
        GatewayHarness.StartAsync($"mcpServers:\n  remote: {{ url: \"{upstream.Endpoint}\", transport: streamable-http, {settings} }}\n");

    private static JsonObject Call(string tool) => new() { ["name"] = tool, ["arguments"] = new JsonObject() };

    private static int Count(RecordingHttpMcpServer upstream, string method) => upstream.Methods.Count(m => m == method);

    [Fact]
    public async Task Bulkhead_QueuesUpToTheLimit_RefusesBeyondIt_AndTheQueuedCallRunsWhenASlotFrees()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream, "concurrency: { max: 1, queue: 1 }");
        var client = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");
        var hangRequest = client.Request("tools/call", Call("hang"), id: 900);

        using var hanging = await client.OpenAsync(hangRequest);
        await upstream.HangStarted.Task.WaitAsync(TestContext.Current.CancellationToken);
        var queued = client.CallAsync("tools/call", Call("whoami"));
        await gateway.Logs.WaitForEventAsync(7021);
        var refused = await client.CallAsync("tools/call", Call("whoami"));
        await client.PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/cancelled", ["params"] = new JsonObject { ["requestId"] = 900 } });
        var served = await queued;

        ((int?)refused["error"]?["code"]).Should().Be(-32031, refused.ToJsonString());
        ((string?)refused["error"]?["message"]).Should().Contain("busy").And.Contain("concurrency.max");
        ((string?)served["result"]?["content"]?[0]?["text"]).Should().Be("served tools/call", served.ToJsonString());
        upstream.ToolCalls.Should().Equal("hang", "whoami");
    }

    [Fact]
    public async Task Retries_RepeatListsAndReadOnlyTools_ButNeverOtherToolCalls()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        upstream.WhoamiReadOnly = true;
        await using var gateway = await StartAsync(upstream, "retries: { attempts: 2, backoff: 1ms }, circuitBreaker: false");
        var client = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");

        upstream.FailNextRequests(2);
        var list = await client.CallAsync("tools/list", new JsonObject());
        upstream.FailNextRequests(1);
        var readOnly = await client.CallAsync("tools/call", Call("whoami"));
        upstream.FailNextRequests(1);
        var other = await client.CallAsync("tools/call", new JsonObject { ["name"] = "bounded", ["arguments"] = new JsonObject { ["count"] = 1 } });

        list["result"]?["tools"].Should().NotBeNull(list.ToJsonString());
        Count(upstream, "tools/list").Should().Be(3, "two failures, then the answer");
        readOnly["result"].Should().NotBeNull("whoami is annotated readOnlyHint: " + readOnly.ToJsonString());
        ((int?)other["error"]?["code"]).Should().Be(-32000, other.ToJsonString());
        Count(upstream, "tools/call").Should().Be(3, "whoami twice (one retry), bounded once (not safe to repeat)");
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterTheFailures_RefusesWithoutReachingTheUpstream_AndShowsInTheAdminApi()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream, "retries: false, circuitBreaker: { failureRatio: 0.5, minimumThroughput: 2, samplingDuration: 30s, breakDuration: 30s }");
        var client = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");
        var admin = new AdminApiClient(gateway);

        var first = await client.CallAsync("tools/call", Call("whoami"));
        var closed = await admin.GetAsync("api/v1/servers/remote");
        upstream.FailNextRequests(1000);
        // Two successes so far (the call, and the tools/list the guard fetched for its schema): two failures reach 0.5.
        var failed = new[] { await client.CallAsync("tools/call", Call("whoami")), await client.CallAsync("tools/call", Call("whoami")) };
        await gateway.Logs.WaitForEventAsync(7010);
        var reachedBefore = upstream.Methods.Count;
        var refused = await client.CallAsync("tools/call", Call("whoami"));
        var server = await admin.GetAsync("api/v1/servers/remote");
        var health = await admin.GetAsync("api/v1/health");

        first["result"].Should().NotBeNull();
        ((string?)closed.Json["circuit"]).Should().Be("closed");
        failed.Should().AllSatisfy(f => ((int?)f["error"]?["code"]).Should().Be(-32000));
        ((int?)refused["error"]?["code"]).Should().Be(-32000);
        ((string?)refused["error"]?["message"]).Should().Contain("circuit breaker is open");
        ((string?)refused["error"]?["data"]?["circuit"]).Should().Be("open");
        ((long?)refused["error"]?["data"]?["retryAfterMs"]).Should().BeInRange(1, 30_000);
        upstream.Methods.Count.Should().Be(reachedBefore, "an open circuit keeps calls away from the upstream");
        ((string?)server.Json["circuit"]).Should().Be("open");
        ((string?)health.Json["circuits"]?["remote"]).Should().Be("open");
    }

    [Fact]
    public async Task ToolTimeout_AppliesToThatToolOnly_AndTheUpstreamIsToldToCancel()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream, "requestTimeout: 60s, toolTimeouts: { \"ha*\": 200ms }");
        var client = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");

        var timedOut = await client.CallAsync("tools/call", Call("hang"));

        ((int?)timedOut["error"]?["code"]).Should().Be(-32001, timedOut.ToJsonString());
        ((string?)timedOut["error"]?["message"]).Should().Contain("within 0.2 s");
        await upstream.HangAbandoned.Task.WaitAsync(TestContext.Current.CancellationToken);
        upstream.Methods.Should().Contain("notifications/cancelled");
    }

    [Theory]
    [InlineData("maxRequestTimeout: 30s", true)]
    [InlineData("", false)]
    [InlineData("maxRequestTimeout: 700ms", false)]
    public async Task Progress_ExtendsTheTimeoutUpToTheCap_OnlyWhenMaxRequestTimeoutIsSet(string setting, bool extends)
    {
        // Ten steps 100 ms apart: a second in all, but never half a second without progress.
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("demo", $"toolTimeouts: {{ progress: 500ms }}\n{setting}"));
        var client = await McpCalls.ConnectAsync(gateway, "servers/demo/mcp");

        var answer = await client.CallAsync("tools/call", new JsonObject
        {
            ["name"] = "progress",
            ["arguments"] = new JsonObject { ["steps"] = 10, ["delayMs"] = 100 },
            ["_meta"] = new JsonObject { ["progressToken"] = "p1" },
        });

        if (extends)
        {
            ((string?)answer["result"]?["content"]?[0]?["text"]).Should().Be("done after 10 steps", answer.ToJsonString());
        }
        else
        {
            ((int?)answer["error"]?["code"]).Should().Be(-32001, answer.ToJsonString());
        }
    }
}
