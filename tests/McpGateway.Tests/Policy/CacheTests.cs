using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Security;
using McpGateway.Tests.TestSupport;
using McpGateway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpGateway.Tests.Policy;

/// <summary>
/// Opt-in response caching through a real gateway (the upstream counts what reaches it), and the cache's invalidation
/// and expiry over a clock the test moves.
/// </summary>
public sealed class CacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayHarness> StartAsync(RecordingHttpMcpServer upstream, string cache, string extra = "") =>
        GatewayHarness.StartAsync($"{extra}\nmcpServers:\n  remote: {{ url: \"{upstream.Endpoint}\", transport: streamable-http, retries: false, cache: {cache} }}\n");

    private static int Count(RecordingHttpMcpServer upstream, string method) => upstream.Methods.Count(m => m == method);

    private static JsonObject Call(string tool, int count = 1) => new() { ["name"] = tool, ["arguments"] = new JsonObject { ["count"] = count } };

    [Fact]
    public async Task Lists_AreServedFromCacheAcrossSessions()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream, "{ lists: 60s }");

        var first = await (await McpCalls.ConnectAsync(gateway, "servers/remote/mcp")).CallAsync("tools/list", new JsonObject());
        var second = await (await McpCalls.ConnectAsync(gateway, "servers/remote/mcp")).CallAsync("tools/list", new JsonObject());

        second["result"]!.ToJsonString().Should().Be(first["result"]!.ToJsonString());
        Count(upstream, "tools/list").Should().Be(1);
    }

    [Fact]
    public async Task Lists_TheServersListChangedDropsThem_TheNextListAsksTheServerAgain()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("demo", "cache: { lists: 60s }"));
        var client = await McpCalls.ConnectAsync(gateway, "servers/demo/mcp");

        await client.CallAsync("tools/list", new JsonObject());
        await client.CallAsync("tools/list", new JsonObject());
        await client.CallAsync("tools/call", new JsonObject { ["name"] = "announce_list_changed", ["arguments"] = new JsonObject() });
        await gateway.Logs.WaitForEventAsync(7060);
        var after = await client.CallAsync("tools/list", new JsonObject());
        var metrics = PrometheusTextParser.Parse(await gateway.Http.GetStringAsync("metrics", Ct));

        after["result"]?["tools"].Should().NotBeNull();
        metrics.Value("mcp_gateway_cache_lookups_total", ("kind", "lists"), ("result", "hit"), ("server", "demo")).Should().Be(1);
        metrics.Value("mcp_gateway_cache_lookups_total", ("kind", "lists"), ("result", "miss"), ("server", "demo")).Should().Be(2, "the first list, and the one after list_changed");
    }

    [Fact]
    public async Task ReadOnlyTool_IsCachedPerPrincipal_OtherToolsAndErrorsNever()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        upstream.WhoamiReadOnly = true;
        await using var gateway = await StartAsync(upstream, "{ tools: { names: [whoami, bounded], ttl: 60s } }", "auth: { apiKeys: true }");
        var keys = gateway.Services.GetRequiredService<ApiKeyService>();
        var alice = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp", (await keys.CreateAsync("alice", [], null, null, Ct)).Secret);
        var bob = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp", (await keys.CreateAsync("bob", [], null, null, Ct)).Secret);

        upstream.FailNextRequests(0);
        await alice.CallAsync("tools/list", new JsonObject());
        upstream.FailNextRequests(1);
        var failed = await alice.CallAsync("tools/call", Call("whoami"));
        var first = await alice.CallAsync("tools/call", Call("whoami"));
        var again = await alice.CallAsync("tools/call", new JsonObject { ["name"] = "whoami", ["arguments"] = new JsonObject { ["count"] = 1 } });
        var other = await alice.CallAsync("tools/call", Call("whoami", 2));
        var bobs = await bob.CallAsync("tools/call", Call("whoami"));
        await alice.CallAsync("tools/call", Call("bounded"));
        await alice.CallAsync("tools/call", Call("bounded"));

        failed["error"].Should().NotBeNull();
        first["result"].Should().NotBeNull();
        again["result"]!.ToJsonString().Should().Be(first["result"]!.ToJsonString());
        other["result"].Should().NotBeNull();
        bobs["result"].Should().NotBeNull();
        upstream.ToolCalls.Should().Equal(["whoami", "whoami", "whoami", "bounded", "bounded"],
            "the error was not kept, alice's repeat was a hit, other arguments and bob missed, and bounded is not read-only");
    }

    [Fact]
    public async Task ResourceReads_AreCachedForMatchingUrisOnly()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream, "{ resources: { uris: [\"docs://*\"], ttl: 60s } }");
        var client = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp");

        foreach (var uri in new[] { "docs://a", "docs://a", "other://b", "other://b" })
        {
            (await client.CallAsync("resources/read", new JsonObject { ["uri"] = uri }))["result"].Should().NotBeNull();
        }

        Count(upstream, "resources/read").Should().Be(3);
    }

    [Fact]
    public void Invalidation_ListChangedDropsThatKindsLists_ResourceUpdatedDropsThatUri_TtlExpires()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new GatewayConfigProvider(new GatewayConfig()), new NoCircuitStates());
        var cache = new ResponseCache(clock, metrics, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var server = new ServerConfig { Name = "s", Cache = new ServerCacheOptions { ListTtl = TimeSpan.FromMinutes(1), ResourceUris = ["*"], ResourceTtl = TimeSpan.FromMinutes(10) } };
        JsonRpcMessage Answer() => new JsonRpcResponse { Id = new RequestId(1), Result = new JsonObject { ["x"] = 1 } };
        var tools = ResponseCache.ListKey("tools/list", null, null);
        var prompts = ResponseCache.ListKey("prompts/list", null, null);
        cache.Keep(server, ResponseCache.Lists, tools, Answer(), TimeSpan.FromMinutes(1));
        cache.Keep(server, ResponseCache.Lists, prompts, Answer(), TimeSpan.FromMinutes(1));
        cache.Keep(server, ResponseCache.Resources, ResponseCache.ResourceKey("docs://a", null), Answer(), TimeSpan.FromMinutes(10));
        cache.Keep(server, ResponseCache.Resources, ResponseCache.ResourceKey("docs://b", null), Answer(), TimeSpan.FromMinutes(10));

        cache.OnNotification("s", new JsonRpcNotification { Method = "notifications/tools/list_changed" });
        cache.OnNotification("s", new JsonRpcNotification { Method = "notifications/resources/updated", Params = new JsonObject { ["uri"] = "docs://a" } });

        cache.Find(server, ResponseCache.Lists, tools).Should().BeNull();
        cache.Find(server, ResponseCache.Lists, prompts).Should().NotBeNull("only tool lists changed");
        cache.Find(server, ResponseCache.Resources, ResponseCache.ResourceKey("docs://a", null)).Should().BeNull();
        cache.Find(server, ResponseCache.Resources, ResponseCache.ResourceKey("docs://b", null)).Should().NotBeNull();
        clock.Advance(TimeSpan.FromMinutes(1));
        cache.Find(server, ResponseCache.Lists, prompts).Should().BeNull("its TTL passed");
        cache.Find(server, ResponseCache.Resources, ResponseCache.ResourceKey("docs://b", null)).Should().NotBeNull();
    }
}
