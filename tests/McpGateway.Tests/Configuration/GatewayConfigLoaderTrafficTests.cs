using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Configuration;

/// <summary>A server's traffic keys (timeouts per tool, concurrency, retries, circuit breaker): values, defaults, mistakes.</summary>
public sealed class GatewayConfigLoaderTrafficTests
{
    [Fact]
    public void Load_TrafficKeys_ReadEveryField()
    {
        var result = ConfigLoading.Load("""
            mcpServers:
              a:
                command: x
                maxRequestTimeout: 10m
                toolTimeouts: { generate_report: 5m, "export_*": 2m }
                concurrency: { max: 4, queue: 16 }
                retries: { attempts: 3, backoff: 50ms }
                circuitBreaker: { failureRatio: 0.25, minimumThroughput: 20, samplingDuration: 1m, breakDuration: 45s }
              b: { command: x, concurrency: 8, retries: false, circuitBreaker: false }
              c: { command: x }
            """);

        result.Errors.Should().BeEmpty();
        var servers = result.Config!.Servers.ToDictionary(s => s.Name, s => s.Traffic);
        servers["a"].MaxRequestTimeout.Should().Be(TimeSpan.FromMinutes(10));
        servers["a"].TimeoutFor("export_csv").Should().Be(TimeSpan.FromMinutes(2));
        servers["a"].TimeoutFor("other").Should().BeNull();
        (servers["a"].MaxConcurrency, servers["a"].MaxQueue).Should().Be((4, 16));
        servers["a"].Retries.Should().Be(new RetryOptions(3, TimeSpan.FromMilliseconds(50)));
        servers["a"].CircuitBreaker.Should().Be(new CircuitBreakerOptions(0.25, 20, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(45)));
        (servers["b"].MaxConcurrency, servers["b"].MaxQueue).Should().Be((8, 8));
        servers["b"].Retries.Attempts.Should().Be(0);
        servers["b"].CircuitBreaker.Should().BeNull();
        servers["c"].Should().Be(ServerTrafficOptions.Default);
        servers["c"].CircuitBreaker.Should().Be(CircuitBreakerOptions.Default);
    }

    [Fact]
    public void Load_Urls_ReadEndpointsWeightsAndStrategy()
    {
        var result = ConfigLoading.Load("""
            mcpServers:
              multi:
                urls: ["https://a.example.com/mcp", { url: "https://b.example.com/mcp", weight: 3 }]
                strategy: weighted
              single: { url: "https://c.example.com/mcp" }
            """);

        result.Errors.Should().BeEmpty();
        var multi = result.Config!.Servers[0];
        multi.Url.Should().Be(new Uri("https://a.example.com/mcp"));
        multi.Traffic.Endpoints.Should().Equal(new UpstreamEndpoint(new Uri("https://a.example.com/mcp")), new UpstreamEndpoint(new Uri("https://b.example.com/mcp"), 3));
        multi.Traffic.Strategy.Should().Be(BalanceStrategy.Weighted);
        result.Config.Servers[1].Traffic.Endpoints.Should().BeEmpty("one `url` is just the server's Url");
        result.Config.Servers[1].Traffic.Strategy.Should().Be(BalanceStrategy.Failover);
    }

    [Fact]
    public void Load_Cache_ReadsListsResourcesToolsAndPrincipalScope()
    {
        var result = ConfigLoading.Load("""
            mcpServers:
              a:
                command: x
                cache: { lists: 2m, resources: { uris: ["docs://*"], ttl: 5m }, tools: { names: ["get_*"] }, perPrincipal: false }
            """);

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Cache.Should().Be(new ServerCacheOptions
        {
            ListTtl = TimeSpan.FromMinutes(2),
            ResourceUris = ["docs://*"],
            ResourceTtl = TimeSpan.FromMinutes(5),
            ToolNames = ["get_*"],
            PerPrincipal = false,
        });
    }

    [Theory]
    [InlineData("cache: 60s", "mcpServers.a.cache", "must be a mapping")]
    [InlineData("cache: { tools: { ttl: 5s } }", "mcpServers.a.cache.tools", "`names` is required")]
    [InlineData("cache: { lists: soon }", "mcpServers.a.cache.lists", "not a duration")]
    public void Load_BadCache_ErrorNamesTheKey(string setting, string key, string message)
    {
        var result = ConfigLoading.Load($"mcpServers:\n  a: {{ command: x, {setting} }}\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(key);
        error.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("url: \"https://a.example/mcp\", urls: [\"https://b.example/mcp\"]", "mcpServers.a.urls", "only one of `url`")]
    [InlineData("urls: []", "mcpServers.a.urls", "non-empty list")]
    [InlineData("urls: [ { weight: 2 } ]", "mcpServers.a.urls[0]", "`url` is required")]
    [InlineData("urls: [\"https://a.example/mcp\"], strategy: random", "mcpServers.a.strategy", "failover, round-robin, weighted or least-requests")]
    public void Load_BadUrls_ErrorNamesTheKey(string setting, string key, string message)
    {
        var result = ConfigLoading.Load($"mcpServers:\n  a: {{ {setting} }}\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(key);
        error.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("concurrency: { queue: 5 }", "mcpServers.a.concurrency", "`max` is required")]
    [InlineData("concurrency: 0", "mcpServers.a.concurrency", "greater than zero")]
    [InlineData("retries: sometimes", "mcpServers.a.retries", "not a boolean")]
    [InlineData("circuitBreaker: { failureRatio: 2 }", "mcpServers.a.circuitBreaker.failureRatio", "at most 1")]
    [InlineData("circuitBreaker: { breakDuration: 100ms }", "mcpServers.a.circuitBreaker.breakDuration", "at least 500ms")]
    [InlineData("circuitBreaker: { minimumThroughput: 1 }", "mcpServers.a.circuitBreaker.minimumThroughput", "at least 2")]
    [InlineData("toolTimeouts: [a]", "mcpServers.a.toolTimeouts", "mapping of tool name")]
    [InlineData("toolTimeouts: { x: soon }", "mcpServers.a.toolTimeouts.x", "not a duration")]
    public void Load_BadTrafficKey_ErrorNamesTheKey(string setting, string key, string message)
    {
        var result = ConfigLoading.Load($"mcpServers:\n  a: {{ command: x, {setting} }}\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(key);
        error.Message.Should().Contain(message);
    }
}
