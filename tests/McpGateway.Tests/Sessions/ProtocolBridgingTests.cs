using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.Tests.Sessions;

/// <summary>A client on one protocol revision works with an upstream on another, including the stateless 2026-07-28.</summary>
public sealed class ProtocolBridgingTests
{
    /// <summary>A demo server that speaks only the stateless revision.</summary>
    private const string ModernOnlyUpstream = """
        mcpServers:
          modern:
            command: mcp-gateway
            args: ["demo-server"]
            env: { MCP_DEMO_MODERN_ONLY: "1", MCP_DEMO_TEST_TOOLS: "1" }
        """;

    private static JsonObject EchoCall(string message) => new() { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = message } };

    private static JsonObject ModernMeta(JsonObject? extra = null)
    {
        var meta = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
            ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "modern-client", ["version"] = "9" },
        };
        foreach (var (key, value) in extra ?? [])
        {
            meta[key] = value?.DeepClone();
        }

        return meta;
    }

    private static McpHttpTestClient ModernClient(GatewayHarness gateway, string server) => new(gateway.Http, gateway.ServerUrl(server));

    private static Task<HttpExchange> PostModernAsync(McpHttpTestClient client, string method, JsonObject parameters, string headerVersion = "2026-07-28") =>
        client.PostAsync(client.Request(method, parameters), request => request.Headers.Add("MCP-Protocol-Version", headerVersion));

    [Theory]
    [InlineData("2025-11-25", "2024-11-05")]
    [InlineData("2024-11-05", "2025-11-25")]
    [InlineData("2025-06-18", "2025-03-26")]
    public async Task StatefulClient_UpstreamOnAnotherRevision_Works(string clientVersion, string upstreamVersion)
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              old:
                command: mcp-gateway
                args: ["demo-server"]
                env: {"{"} MCP_DEMO_VERSIONS: "{upstreamVersion}" {"}"}
            """);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("old"));

        var initialized = await client.InitializeAsync(clientVersion);
        var echoed = await client.CallAsync("tools/call", EchoCall("across revisions"));

        ((string?)initialized["result"]!["protocolVersion"]).Should().Be(clientVersion);
        (await gateway.Logs.WaitForEventAsync(1009)).Message.Should().Contain($"protocol {upstreamVersion}");
        ((string?)echoed["result"]!["content"]![0]!["text"]).Should().Be("across revisions");
    }

    [Fact]
    public async Task StatefulClient_ModernOnlyUpstream_GetsDiscoverIdentityAndPerRequestMeta()
    {
        await using var gateway = await GatewayHarness.StartAsync(ModernOnlyUpstream);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("modern"));
        var capabilities = new JsonObject { ["roots"] = new JsonObject { ["listChanged"] = true } };

        var initialized = await client.InitializeAsync("2025-06-18", capabilities);
        var echoed = await client.CallAsync("tools/call", EchoCall("stateless upstream"));
        var meta = await client.CallAsync("tools/call", new JsonObject { ["name"] = "meta" });

        ((string?)initialized["result"]!["protocolVersion"]).Should().Be("2025-06-18");
        ((string?)initialized["result"]!["serverInfo"]!["name"]).Should().Be("mcp-gateway-demo-modern");
        ((string?)echoed["result"]!["content"]![0]!["text"]).Should().Be("stateless upstream");
        var seen = meta["result"]!["structuredContent"]!;
        ((string?)seen["io.modelcontextprotocol/protocolVersion"]).Should().Be("2026-07-28");
        JsonNode.DeepEquals(seen["io.modelcontextprotocol/clientCapabilities"], capabilities).Should().BeTrue(seen.ToJsonString());
        ((string?)seen["io.modelcontextprotocol/clientInfo"]!["name"]).Should().Be("gateway-tests");
    }

    [Fact]
    public async Task ModernClient_StatefulUpstream_DiscoverAndCallsWorkWithoutSession()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = ModernClient(gateway, "demo");

        var discover = await PostModernAsync(client, "server/discover", new JsonObject { ["_meta"] = ModernMeta() });
        var call = await PostModernAsync(client, "tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "no session" }, ["_meta"] = ModernMeta() });

        discover.Status.Should().Be(HttpStatusCode.OK);
        discover.Headers.Contains("Mcp-Session-Id").Should().BeFalse();
        var result = discover.Last["result"]!;
        result["supportedVersions"]!.AsArray().Select(v => (string?)v).Should().Contain(["2024-11-05", "2025-11-25", "2026-07-28"]);
        result["capabilities"]!["tools"].Should().NotBeNull();
        ((string?)result["resultType"]).Should().Be("complete");
        ((string?)result["_meta"]!["io.modelcontextprotocol/serverInfo"]!["name"]).Should().Be("mcp-gateway-demo");
        ((string?)call.Last["result"]!["content"]![0]!["text"]).Should().Be("no session");
        ((string?)call.Last["result"]!["resultType"]).Should().Be("complete");
    }

    [Fact]
    public async Task ModernClient_SessionBasedHttpUpstream_CallsCarryTheUpstreamSessionTheGatewayOpened()
    {
        // The stdio demo above has no session header to forget; an HTTP upstream that needs Mcp-Session-Id does.
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"mcpServers:\n  remote: {{ url: \"{upstream.Endpoint}\", transport: streamable-http }}\n");
        var client = ModernClient(gateway, "remote");

        var first = await PostModernAsync(client, "tools/call", new JsonObject { ["name"] = "whoami", ["_meta"] = ModernMeta() });
        var second = await PostModernAsync(client, "tools/call", new JsonObject { ["name"] = "whoami", ["_meta"] = ModernMeta() });

        ((string?)first.Last["result"]?["content"]?[0]?["text"]).Should().Be("served tools/call", first.Last.ToJsonString());
        ((string?)second.Last["result"]?["content"]?[0]?["text"]).Should().Be("served tools/call", second.Last.ToJsonString());
        upstream.InitializeCount.Should().Be(1, "both calls share the gateway's one upstream session");
    }

    [Fact]
    public async Task ModernClient_ModernUpstream_ClientMetaPassesThrough()
    {
        await using var gateway = await GatewayHarness.StartAsync(ModernOnlyUpstream);
        var client = ModernClient(gateway, "modern");

        var call = await PostModernAsync(client, "tools/call", new JsonObject { ["name"] = "meta", ["_meta"] = ModernMeta(new JsonObject { ["x-trace"] = "abc" }) });

        var seen = call.Last["result"]!["structuredContent"]!;
        ((string?)seen["io.modelcontextprotocol/clientInfo"]!["name"]).Should().Be("modern-client");
        ((string?)seen["x-trace"]).Should().Be("abc");
    }

    [Fact]
    public async Task ModernRequest_UnsupportedVersion_Returns32022WithSupportedList()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var meta = ModernMeta();
        meta["io.modelcontextprotocol/protocolVersion"] = "2099-01-01";

        var response = await PostModernAsync(ModernClient(gateway, "demo"), "tools/list", new JsonObject { ["_meta"] = meta }, headerVersion: "2099-01-01");

        response.Status.Should().Be(HttpStatusCode.BadRequest);
        ((int?)response.Last["error"]!["code"]).Should().Be(-32022);
        response.Last["error"]!["data"]!["supported"]!.AsArray().Select(v => (string?)v).Should().Contain("2026-07-28");
    }

    [Fact]
    public async Task ModernRequest_HeaderDisagreesWithMeta_Returns32020()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        var response = await PostModernAsync(ModernClient(gateway, "demo"), "tools/list", new JsonObject { ["_meta"] = ModernMeta() }, headerVersion: "2025-11-25");

        response.Status.Should().Be(HttpStatusCode.BadRequest);
        ((int?)response.Last["error"]!["code"]).Should().Be(-32020);
    }

    [Fact]
    public async Task CSharpSdkClient_DefaultModernPreference_WorksThroughGateway()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = gateway.ServerUrl("demo") }));
        var tools = await client.ListToolsAsync();
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = JsonSerializer.SerializeToElement("sdk default") });

        client.NegotiatedProtocolVersion.Should().Be("2026-07-28");
        tools.Select(t => t.Name).Should().Contain("echo");
        ((TextContentBlock)result.Content[0]).Text.Should().Be("sdk default");
    }
}
