using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Endpoints;

/// <summary>The Streamable HTTP passthrough endpoint at the HTTP level: status codes, headers, error bodies.</summary>
public sealed class McpEndpointsTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayHarness.StartAsync($"""
        gateway:
          maxRequestBodyBytes: 4096
          allowedOrigins: ["https://allowed.example"]
        mcpServers:
        {GatewayHarness.DemoServer("demo")}
          off:
            command: mcp-gateway
            args: ["demo-server"]
            enabled: false
        """);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private McpHttpTestClient Client(string server = "demo") => new(_gateway.Http, _gateway.ServerUrl(server));

    [Fact]
    public async Task Post_UnknownServer_Returns404NamingIt()
    {
        var response = await Client("nope").PostAsync(Client().Request("ping"));

        response.Status.Should().Be(HttpStatusCode.NotFound);
        var body = JsonNode.Parse(response.Body)!;
        ((string?)body["server"]).Should().Be("nope");
        ((string?)body["error"]).Should().Contain("nope");
    }

    [Fact]
    public async Task Post_DisabledServer_Returns404SayingDisabled()
    {
        var response = await Client("off").PostAsync(Client().Request("ping"));

        response.Status.Should().Be(HttpStatusCode.NotFound);
        ((string?)JsonNode.Parse(response.Body)!["error"]).Should().Contain("disabled");
    }

    [Fact]
    public async Task Post_MalformedJson_ReturnsParseError()
    {
        var response = await Client().PostRawAsync("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ");

        response.Status.Should().Be(HttpStatusCode.BadRequest);
        ((int?)response.Last["error"]!["code"]).Should().Be(-32700);
        response.Last["id"].Should().BeNull();
    }

    [Fact]
    public async Task Post_Batch_ReturnsInvalidRequest()
    {
        var response = await Client().PostRawAsync("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");

        response.Status.Should().Be(HttpStatusCode.BadRequest);
        ((int?)response.Last["error"]!["code"]).Should().Be(-32600);
        ((string?)response.Last["error"]!["message"]).Should().Contain("batch");
    }

    [Fact]
    public async Task Post_JsonThatIsNotJsonRpc_ReturnsInvalidRequest()
    {
        var response = await Client().PostRawAsync("{\"hello\":\"world\"}");

        response.Status.Should().Be(HttpStatusCode.BadRequest);
        ((int?)response.Last["error"]!["code"]).Should().Be(-32600);
    }

    [Fact]
    public async Task Post_WithoutSessionId_Returns400()
    {
        var response = await Client().PostAsync(Client().Request("tools/list"));

        response.Status.Should().Be(HttpStatusCode.BadRequest);
        ((string?)response.Last["error"]!["message"]).Should().Contain("Mcp-Session-Id");
    }

    [Fact]
    public async Task Post_UnknownSessionId_Returns404()
    {
        var client = Client();
        client.SessionId = "not-a-session";

        var response = await client.PostAsync(client.Request("tools/list"));

        response.Status.Should().Be(HttpStatusCode.NotFound);
        ((string?)response.Last["error"]!["message"]).Should().Contain("Session not found");
    }

    [Fact]
    public async Task Post_OversizedBody_Returns413AndKeepsServing()
    {
        var client = Client();
        await client.InitializeAsync();
        var huge = client.Request("tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = new string('x', 10_000) } });

        var response = await client.PostAsync(huge);

        response.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        ((string?)response.Last["error"]!["message"]).Should().Contain("maxRequestBodyBytes");
        var after = await client.CallAsync("tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "still here" } });
        ((string?)after["result"]!["content"]![0]!["text"]).Should().Be("still here");
    }

    [Fact]
    public async Task Post_WrongContentType_Returns415()
    {
        var response = await Client().PostRawAsync(Client().Request("ping").ToJsonString(), contentType: "text/plain");

        response.Status.Should().Be(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("https://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("https://allowed.example", HttpStatusCode.OK)]
    [InlineData("http://localhost:3000", HttpStatusCode.OK)]
    public async Task Post_Origin_IsCheckedAgainstLoopbackAndAllowList(string origin, HttpStatusCode expected)
    {
        var client = Client();
        var response = await client.PostAsync(
            client.Request("initialize", new JsonObject { ["protocolVersion"] = "2025-11-25", ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "t", ["version"] = "1" } }),
            request => request.Headers.Add("Origin", origin));

        response.Status.Should().Be(expected);
    }

    [Theory]
    [InlineData("2024-11-05")]
    [InlineData("2025-03-26")]
    [InlineData("2025-06-18")]
    [InlineData("2025-11-25")]
    public async Task Initialize_EachStatefulRevision_IsNegotiatedAndReturnsSessionId(string version)
    {
        var client = Client();

        var result = await client.InitializeAsync(version);

        client.SessionId.Should().NotBeNullOrEmpty();
        ((string?)result["result"]!["protocolVersion"]).Should().Be(version);
        ((string?)result["result"]!["serverInfo"]!["name"]).Should().Be("mcp-gateway-demo");
        var tools = await client.CallAsync("tools/list");
        tools["result"]!["tools"]!.AsArray().Select(t => (string?)t!["name"]).Should().Contain(["echo", "add"]);
    }

    [Fact]
    public async Task Initialize_UnknownRevision_AnswersNewestStatefulOne()
    {
        var result = await Client().InitializeAsync("1999-01-01");

        ((string?)result["result"]!["protocolVersion"]).Should().Be("2025-11-25");
    }

    [Fact]
    public async Task ToolCall_UnknownFieldsAndMeta_PassThroughUntouched()
    {
        var client = Client();
        await client.InitializeAsync();

        var arguments = new JsonObject { ["nested"] = new JsonObject { ["x-future"] = new JsonArray(1, "two", null) }, ["unicode"] = "ünïcødé ✓" };
        var response = await client.CallAsync("tools/call", new JsonObject { ["name"] = "echo_params", ["arguments"] = arguments.DeepClone() });

        JsonNode.DeepEquals(response["result"]!["structuredContent"], arguments).Should().BeTrue(response.ToJsonString());
    }

    [Fact]
    public async Task ToolCall_ClientRequestIdKinds_AreEchoedBack()
    {
        var client = Client();
        await client.InitializeAsync();

        var stringId = await client.PostAsync(client.Request("tools/list", id: "abc-1"));
        var bigId = await client.PostAsync(client.Request("tools/list", id: 9_007_199_254_740_991));

        ((string?)stringId.Last["id"]).Should().Be("abc-1");
        ((long?)bigId.Last["id"]).Should().Be(9_007_199_254_740_991);
    }

    [Fact]
    public async Task Ping_IsAnsweredWithEmptyResult()
    {
        var client = Client();
        await client.InitializeAsync();

        var response = await client.CallAsync("ping");

        response["result"]!.AsObject().Count.Should().Be(0);
    }

    [Fact]
    public async Task ToolCall_WithProgressToken_StreamsProgressBeforeTheAnswer()
    {
        var client = Client();
        await client.InitializeAsync();

        var response = await client.PostAsync(client.Request("tools/call", new JsonObject
        {
            ["name"] = "progress",
            ["arguments"] = new JsonObject { ["steps"] = 3 },
            ["_meta"] = new JsonObject { ["progressToken"] = "client-token-7" },
        }));

        response.MediaType.Should().Be("text/event-stream");
        var progress = response.Messages.Where(m => (string?)m["method"] == "notifications/progress").ToList();
        progress.Should().HaveCount(3);
        progress.Select(p => (string?)p["params"]!["progressToken"]).Should().AllBe("client-token-7");
        progress.Select(p => (int?)p["params"]!["progress"]).Should().Equal(1, 2, 3);
        ((string?)response.Last["result"]!["content"]![0]!["text"]).Should().Be("done after 3 steps");
    }

    [Fact]
    public async Task Delete_EndsSession_ThenSessionIsUnknown()
    {
        var client = Client();
        await client.InitializeAsync();
        using var delete = new HttpRequestMessage(HttpMethod.Delete, _gateway.ServerUrl("demo"));
        delete.Headers.Add("Mcp-Session-Id", client.SessionId);

        using var deleted = await _gateway.Http.SendAsync(delete);
        var after = await client.PostAsync(client.Request("tools/list"));

        deleted.StatusCode.Should().Be(HttpStatusCode.OK);
        after.Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_StandaloneStream_ReceivesNotificationsSentOutsideRequests()
    {
        var client = Client();
        await client.InitializeAsync();
        using var stream = await client.OpenGetStreamAsync();
        stream.Response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");

        await client.CallAsync("tools/call", new JsonObject { ["name"] = "log", ["arguments"] = new JsonObject { ["text"] = "hello from upstream" } });
        var notification = (await stream.ReadMessageAsync().WaitAsync(TimeSpan.FromSeconds(30)))!;

        ((string?)notification["method"]).Should().Be("notifications/message");
        ((string?)notification["params"]!["data"]).Should().Be("hello from upstream");
    }

    [Fact]
    public async Task Get_SecondStandaloneStream_Returns409()
    {
        var client = Client();
        await client.InitializeAsync();
        using var open = await client.OpenGetStreamAsync();

        using var conflict = await client.OpenGetStreamAsync();

        open.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        conflict.Response.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Healthz_And_Readyz_AnswerOk()
    {
        using var health = await _gateway.Http.GetAsync("healthz");
        using var ready = await _gateway.Http.GetAsync("readyz");

        health.StatusCode.Should().Be(HttpStatusCode.OK);
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        ((string?)body["status"]).Should().Be("ready");
        body["servers"]!.AsArray().Select(s => (string?)s!["name"]).Should().Contain("demo");
    }
}
