using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Upstreams;

/// <summary>
/// A server with several <c>urls</c>: sessions spread by strategy, stay on their endpoint, and move when it dies.
/// Each endpoint is a real HTTP MCP server on loopback; a stopped one refuses connections.
/// </summary>
public sealed class FailoverTests
{
    /// <summary>Endpoints started together and stopped together (stopping one early is fine).</summary>
    private sealed class Fleet(RecordingHttpMcpServer[] servers) : IAsyncDisposable
    {
        public RecordingHttpMcpServer[] Servers { get; } = servers;

        public static async Task<Fleet> StartAsync(int count) =>
            new(await Task.WhenAll(Enumerable.Range(0, count).Select(_ => RecordingHttpMcpServer.StartAsync())));

        public async ValueTask DisposeAsync()
        {
            foreach (var server in Servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static Task<GatewayHarness> StartAsync(string urls, string settings = "") =>
        GatewayHarness.StartAsync($"mcpServers:\n  remote: {{ urls: {urls}, transport: streamable-http{settings} }}\n");

    private static string Urls(params RecordingHttpMcpServer[] upstreams) => "[" + string.Join(", ", upstreams.Select(u => $"\"{u.Endpoint}\"")) + "]";

    private static readonly JsonObject Whoami = new() { ["name"] = "whoami", ["arguments"] = new JsonObject() };

    private static async Task<McpHttpTestClient> SessionCallingAsync(GatewayHarness gateway)
    {
        var client = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");
        var answer = await client.CallAsync("tools/call", Whoami.DeepClone());
        answer["result"].Should().NotBeNull(answer.ToJsonString());
        return client;
    }

    [Fact]
    public async Task Failover_FirstEndpointDown_TheSessionOpensOnTheNext()
    {
        await using var fleet = await Fleet.StartAsync(2);
        var upstreams = fleet.Servers;
        var down = await RecordingHttpMcpServer.StartAsync();
        var downUrl = down.Endpoint;
        await down.DisposeAsync();
        await using var gateway = await StartAsync($"[\"{downUrl}\", \"{upstreams[0].Endpoint}\", \"{upstreams[1].Endpoint}\"]");

        await SessionCallingAsync(gateway);
        await SessionCallingAsync(gateway);

        upstreams[0].InitializeCount.Should().Be(2, "failover prefers the first endpoint that is up");
        upstreams[1].InitializeCount.Should().Be(0);
        gateway.Logs.CountEvents(7050).Should().Be(1, "the dead endpoint sits out after its first failure");
    }

    [Fact]
    public async Task EndpointDiesMidSession_TheSessionMovesToAnotherEndpoint_SafeCallsRetryThere()
    {
        await using var fleet = await Fleet.StartAsync(2);
        var upstreams = fleet.Servers;
        await using var gateway = await StartAsync(Urls(upstreams), ", retries: { attempts: 2, backoff: 1ms }");
        var client = await SessionCallingAsync(gateway);

        await upstreams[0].DisposeAsync();
        var list = await client.CallAsync("tools/list", new JsonObject());
        var call = await client.CallAsync("tools/call", Whoami.DeepClone());

        list["result"]?["tools"].Should().NotBeNull("the retry reconnected on the live endpoint: " + list.ToJsonString());
        call["result"].Should().NotBeNull(call.ToJsonString());
        upstreams[1].InitializeCount.Should().Be(1, "the same client session continues on the second endpoint");
        upstreams[1].ToolCalls.Should().Equal("whoami");
    }

    [Theory]
    [InlineData("round-robin", "", new[] { 2, 2, 2 })]
    [InlineData("weighted", "weighted", new[] { 3, 2, 1 })]
    public async Task Strategy_SpreadsNewSessionsOverTheEndpoints(string strategy, string weights, int[] expected)
    {
        await using var fleet = await Fleet.StartAsync(3);
        var upstreams = fleet.Servers;
        var urls = weights.Length == 0
            ? Urls(upstreams)
            : "[" + string.Join(", ", upstreams.Select((u, i) => $"{{ url: \"{u.Endpoint}\", weight: {expected[i]} }}")) + "]";
        await using var gateway = await StartAsync(urls, $", strategy: {strategy}");

        for (var i = 0; i < 6; i++)
        {
            await SessionCallingAsync(gateway);
        }

        upstreams.Select(u => u.InitializeCount).Should().Equal(expected);
    }

    [Fact]
    public async Task LeastRequests_NewSessionsAvoidTheEndpointWithACallInFlight()
    {
        await using var fleet = await Fleet.StartAsync(2);
        var upstreams = fleet.Servers;
        await using var gateway = await StartAsync(Urls(upstreams), ", strategy: least-requests");
        var busy = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");
        using var hanging = await busy.OpenAsync(busy.Request("tools/call", new JsonObject { ["name"] = "hang", ["arguments"] = new JsonObject() }));
        var hangAt = await Task.WhenAny(upstreams.Select(async u =>
        {
            await u.HangStarted.Task;
            return u;
        }));

        await SessionCallingAsync(gateway);
        await SessionCallingAsync(gateway);

        var idle = upstreams.Single(u => u != hangAt.Result);
        idle.InitializeCount.Should().Be(2, "both new sessions went to the endpoint without a call in flight");
    }

    [Fact]
    public async Task ActiveHealth_BringsAnEndpointBackBeforeItsCooloff()
    {
        await using var fleet = await Fleet.StartAsync(2);
        var upstreams = fleet.Servers;
        upstreams[0].Unauthorized = _ => true;
        await using var gateway = await StartAsync(Urls(upstreams), ", health: { interval: 200ms, timeout: 5s }");
        await SessionCallingAsync(gateway);
        await gateway.Logs.WaitForEventAsync(7050);

        upstreams[0].Unauthorized = null;
        await gateway.Logs.WaitForEventAsync(7052);
        await SessionCallingAsync(gateway);

        upstreams[1].ToolCalls.Should().Equal(["whoami"], "the first session failed over while endpoint 0 refused");
        upstreams[0].ToolCalls.Should().Equal(["whoami"], "the health check brought endpoint 0 back, and failover prefers it");
    }

    [Fact]
    public async Task RoundRobin_StatelessCallsTakeTurnsPerCall()
    {
        await using var fleet = await Fleet.StartAsync(3);
        var upstreams = fleet.Servers;
        await using var gateway = await StartAsync(Urls(upstreams), ", strategy: round-robin");
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));

        for (var i = 0; i < 6; i++)
        {
            var answer = await McpCalls.StatelessAsync(client, "tools/call", Whoami.DeepClone().AsObject());
            answer["result"].Should().NotBeNull(answer.ToJsonString());
        }

        upstreams.Select(u => u.ToolCalls.Count).Should().Equal(2, 2, 2);
    }
}
