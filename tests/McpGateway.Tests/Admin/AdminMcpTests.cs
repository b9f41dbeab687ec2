using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using McpGateway.Admin;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Admin;

/// <summary>The management MCP server at <c>/admin/mcp</c>, over real HTTP, with a file-defined demo server next to the ones registered through it.</summary>
public sealed class AdminMcpTests
{
    private const string Token = "admin-mcp-test-token";

    private static readonly string[] ToolNames =
        ["list_services", "register_service", "remove_service", "toggle_service", "get_server_details", "get_service_tools", "refresh_service", "healthcheck"];

    [Fact]
    public async Task Initialize_WithToken_AnswersToolsCapabilityWithoutSession()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);

        var answer = await client.InitializeAsync();

        ((string?)answer["result"]?["protocolVersion"]).Should().Be("2025-11-25");
        answer["result"]?["capabilities"]?["tools"].Should().NotBeNull();
        ((string?)answer["result"]?["serverInfo"]?["name"]).Should().Be("mcp-gateway-admin");
        client.SessionId.Should().BeNull("the management server is stateless");
    }

    [Fact]
    public async Task ToolsList_Always_ShowsTheEightToolsWithSchemasAndAnnotations()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        await client.InitializeAsync();

        var tools = (await client.CallAsync("tools/list"))["result"]!["tools"]!.AsArray().Select(tool => tool!.AsObject()).ToList();

        tools.Select(tool => (string?)tool["name"]).Should().BeEquivalentTo(ToolNames);
        tools.Should().OnlyContain(tool => (string?)tool["inputSchema"]!["type"] == "object" && tool["inputSchema"]!["additionalProperties"]!.GetValue<bool>() == false);
        var register = tools.Single(tool => (string?)tool["name"] == "register_service");
        register["inputSchema"]!["required"]!.AsArray().Select(name => (string?)name).Should().Equal("name");
        ((string?)register["inputSchema"]!["properties"]!["args"]!["items"]!["type"]).Should().Be("string");
        register["inputSchema"]!["properties"]!["transport"]!["enum"]!.AsArray().Select(value => (string?)value).Should().Contain(["http", "sse"]);
        var list = tools.Single(tool => (string?)tool["name"] == "list_services");
        list["inputSchema"]!["properties"]!["status"]!["enum"]!.AsArray().Select(value => (string?)value).Should().Equal("all", "enabled", "disabled", "unhealthy");
        ((bool?)list["annotations"]!["readOnlyHint"]).Should().BeTrue();
        ((bool?)tools.Single(tool => (string?)tool["name"] == "remove_service")["annotations"]!["destructiveHint"]).Should().BeTrue();
        ((bool?)register["annotations"]!["readOnlyHint"]).Should().BeFalse();
    }

    [Fact]
    public async Task RegisterToggleRemove_DemoServer_ToolsAppearHideReturnAndGoOnDefaultView()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        await client.InitializeAsync();

        var registered = await CallToolAsync(client, "register_service", new JsonObject
        {
            ["name"] = "added",
            ["description"] = "registered through MCP",
            ["tags"] = new JsonArray("test"),
            ["command"] = "mcp-gateway",
            ["args"] = new JsonArray("demo-server"),
        });
        registered["isError"].Should().BeNull(registered.ToJsonString());
        ((string?)registered["structuredContent"]!["origin"]).Should().Be("registry");
        ((string?)registered["structuredContent"]!["transport"]).Should().Be("stdio");
        (await DefaultViewToolsAsync(gateway)).Should().Contain("added__echo").And.Contain("filed__echo");

        var listed = await CallToolAsync(client, "list_services", new JsonObject { ["tag"] = "test" });
        listed["structuredContent"]!["servers"]!.AsArray().Select(server => (string?)server!["name"]).Should().Equal("added");

        var tools = await CallToolAsync(client, "get_service_tools", new JsonObject { ["name"] = "added" });
        tools["structuredContent"]!["tools"]!.AsArray().Select(tool => (string?)tool!["name"]).Should().Contain("echo");

        var off = await CallToolAsync(client, "toggle_service", new JsonObject { ["name"] = "added", ["enabled"] = false });
        ((bool?)off["structuredContent"]!["enabled"]).Should().BeFalse(off.ToJsonString());
        (await DefaultViewToolsAsync(gateway)).Should().NotContain(name => name.StartsWith("added__", StringComparison.Ordinal)).And.Contain("filed__echo");

        var on = await CallToolAsync(client, "toggle_service", new JsonObject { ["name"] = "added" });
        ((bool?)on["structuredContent"]!["enabled"]).Should().BeTrue("omitting `enabled` flips the state");
        (await DefaultViewToolsAsync(gateway)).Should().Contain("added__echo");

        var removed = await CallToolAsync(client, "remove_service", new JsonObject { ["name"] = "added" });
        removed["isError"].Should().BeNull(removed.ToJsonString());
        (await DefaultViewToolsAsync(gateway)).Should().NotContain(name => name.StartsWith("added__", StringComparison.Ordinal));
        var gone = await CallToolAsync(client, "get_server_details", new JsonObject { ["name"] = "added" });
        ((bool?)gone["isError"]).Should().BeTrue();
        ((int?)gone["structuredContent"]!["status"]).Should().Be(404);
    }

    [Fact]
    public async Task RegisterService_InvalidUrl_IsErrorNamingTheFieldAndStoresNothing()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        await client.InitializeAsync();

        var result = await CallToolAsync(client, "register_service", new JsonObject { ["name"] = "broken", ["url"] = "not a url" });

        ((bool?)result["isError"]).Should().BeTrue(result.ToJsonString());
        ((int?)result["structuredContent"]!["status"]).Should().Be(400);
        result["structuredContent"]!["errors"]!.AsArray().Select(error => (string?)error!["field"]).Should().Contain("url");
        ((string?)result["content"]![0]!["text"]).Should().Contain("url");
        gateway.Services.GetRequiredService<RegistryService>().GetServer("broken").Should().BeNull("an invalid registration changes nothing");
        var stored = await gateway.Services.GetRequiredService<McpGateway.Storage.IRegistryStore>().LoadAsync(TestContext.Current.CancellationToken);
        stored.Servers.Should().BeEmpty();
    }

    [Fact]
    public async Task RegisterAndRemove_Refused_ProblemEqualsTheRestApis()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        await client.InitializeAsync();
        var entry = new JsonObject { ["name"] = "broken", ["command"] = "mcp-gateway", ["args"] = new JsonArray("demo-server"), ["cwd"] = "" };

        using var restRegister = await gateway.Http.PostAsync("api/v1/servers", new StringContent(entry.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var mcpRegister = await CallToolAsync(client, "register_service", entry);
        using var restRemove = await gateway.Http.DeleteAsync("api/v1/servers/filed", TestContext.Current.CancellationToken);
        var mcpRemove = await CallToolAsync(client, "remove_service", new JsonObject { ["name"] = "filed" });

        restRegister.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var restProblem = JsonNode.Parse(await restRegister.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        JsonNode.DeepEquals(mcpRegister["structuredContent"], restProblem).Should().BeTrue($"MCP {mcpRegister["structuredContent"]!.ToJsonString()} vs REST {restProblem!.ToJsonString()}");
        restRemove.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var restRemoveProblem = JsonNode.Parse(await restRemove.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        JsonNode.DeepEquals(mcpRemove["structuredContent"], restRemoveProblem).Should().BeTrue($"MCP {mcpRemove["structuredContent"]!.ToJsonString()} vs REST {restRemoveProblem!.ToJsonString()}");
    }

    [Fact]
    public async Task RegisterService_CommandAndUrl_IsErrorAndStoresNothing()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        await client.InitializeAsync();

        var result = await CallToolAsync(client, "register_service", new JsonObject { ["name"] = "both", ["command"] = "mcp-gateway", ["url"] = "http://127.0.0.1:1/mcp" });

        ((bool?)result["isError"]).Should().BeTrue(result.ToJsonString());
        ((string?)result["content"]![0]!["text"]).Should().Contain("only one of `command`");
        gateway.Services.GetRequiredService<RegistryService>().GetServer("both").Should().BeNull();
    }

    [Fact]
    public async Task RemoveService_FileDefinedServer_IsErrorReadOnlyAndKeepsIt()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        await client.InitializeAsync();

        var result = await CallToolAsync(client, "remove_service", new JsonObject { ["name"] = "filed" });

        ((bool?)result["isError"]).Should().BeTrue(result.ToJsonString());
        ((int?)result["structuredContent"]!["status"]).Should().Be(409);
        ((string?)result["structuredContent"]!["detail"]).Should().Contain("config file");
        (await DefaultViewToolsAsync(gateway)).Should().Contain("filed__echo");
    }

    [Fact]
    public async Task ToolsCall_ArgumentsOutsideTheSchema_AnswersInvalidParams()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        await client.InitializeAsync();

        var missing = await client.CallAsync("tools/call", new JsonObject { ["name"] = "remove_service", ["arguments"] = new JsonObject() });
        var extra = await client.CallAsync("tools/call", new JsonObject { ["name"] = "toggle_service", ["arguments"] = new JsonObject { ["name"] = "filed", ["enabled"] = "yes", ["force"] = true } });
        var unknown = await client.CallAsync("tools/call", new JsonObject { ["name"] = "drop_everything", ["arguments"] = new JsonObject() });

        ((int?)missing["error"]?["code"]).Should().Be(-32602, missing.ToJsonString());
        ((string?)missing["error"]!["data"]!["errors"]![0]!["field"]).Should().Be("name");
        extra["error"]!["data"]!["errors"]!.AsArray().Select(error => (string?)error!["field"]).Should().BeEquivalentTo(["enabled", "force"]);
        ((int?)unknown["error"]?["code"]).Should().Be(-32602);
    }

    [Fact]
    public async Task Healthcheck_NamedServer_ChecksNowAndAnswersItsHealth()
    {
        await using var gateway = await StartAsync("health: { interval: 1h }");
        var client = AdminClient(gateway);
        await client.InitializeAsync();

        var one = await CallToolAsync(client, "healthcheck", new JsonObject { ["name"] = "filed" });
        var all = await CallToolAsync(client, "healthcheck", new JsonObject());

        ((string?)one["structuredContent"]!["status"]).Should().Be("healthy", one.ToJsonString());
        one["structuredContent"]!["lastCheck"].Should().NotBeNull();
        ((string?)all["structuredContent"]!["upstreams"]).Should().Be("healthy");
        ((string?)all["structuredContent"]!["servers"]![0]!["name"]).Should().Be("filed");
    }

    [Fact]
    public async Task ToolsCall_StatelessRevisionWithoutInitialize_AnswersCompleteResult()
    {
        await using var gateway = await StartAsync();
        var client = AdminClient(gateway);
        var meta = new JsonObject { ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28" };

        var discover = await client.PostAsync(client.Request("server/discover", new JsonObject { ["_meta"] = meta.DeepClone() }), request => request.Headers.Add("MCP-Protocol-Version", "2026-07-28"));
        var call = await client.PostAsync(client.Request("tools/call", new JsonObject { ["name"] = "list_services", ["arguments"] = new JsonObject(), ["_meta"] = meta.DeepClone() }));
        var unsupported = await client.PostAsync(client.Request("tools/list"), request => request.Headers.Add("MCP-Protocol-Version", "1999-01-01"));

        discover.Last["result"]!["supportedVersions"]!.AsArray().Select(version => (string?)version).Should().Contain("2026-07-28");
        ((string?)call.Last["result"]!["resultType"]).Should().Be("complete");
        ((string?)call.Last["result"]!["structuredContent"]!["servers"]![0]!["name"]).Should().Be("filed");
        unsupported.Status.Should().Be(HttpStatusCode.BadRequest);
        ((int?)unsupported.Last["error"]!["code"]).Should().Be(-32022);
    }

    [Fact]
    public async Task Get_WithToken_Answers405BecauseTheServerIsStateless()
    {
        await using var gateway = await StartAsync();
        AdminClient(gateway);

        using var response = await gateway.Http.GetAsync(Endpoint(gateway), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Equal("POST");
    }

    [Fact]
    public async Task Post_WithoutOrWithWrongToken_Answers401BeforeAnyMcp()
    {
        await using var gateway = await StartAsync();
        var anonymous = new McpHttpTestClient(gateway.Http, Endpoint(gateway));
        using var wrongHttp = Http(gateway, "not-the-token");
        var wrong = new McpHttpTestClient(wrongHttp, Endpoint(gateway));
        var request = anonymous.Request("tools/list");

        var withoutToken = await anonymous.PostAsync(request);
        var withWrongToken = await wrong.PostAsync(request);

        withoutToken.Status.Should().Be(HttpStatusCode.Unauthorized);
        withoutToken.MediaType.Should().Be("application/problem+json");
        withoutToken.Body.Should().NotContain("jsonrpc").And.NotContain("register_service");
        withWrongToken.Status.Should().Be(HttpStatusCode.Unauthorized);
        withWrongToken.Body.Should().NotContain("register_service");
        await gateway.Logs.WaitForEventAsync(3301);
    }

    private static async Task<GatewayHarness> StartAsync(string? extraGatewaySettings = null) => await GatewayHarness.StartAsync(
        $"gateway: {{ adminToken: {Token}{(extraGatewaySettings is null ? "" : ", " + extraGatewaySettings)} }}\nmcpServers:\n" + GatewayHarness.DemoServer("filed"));

    private static Uri Endpoint(GatewayHarness gateway) => new(gateway.BaseAddress, "admin/mcp");

    private static HttpClient Http(GatewayHarness gateway, string token)
    {
        var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static McpHttpTestClient AdminClient(GatewayHarness gateway)
    {
        gateway.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return new McpHttpTestClient(gateway.Http, Endpoint(gateway));
    }

    private static async Task<JsonObject> CallToolAsync(McpHttpTestClient client, string tool, JsonObject arguments)
    {
        var answer = await client.CallAsync("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments });
        return answer["result"] as JsonObject ?? throw new InvalidOperationException($"{tool}: no result: {answer.ToJsonString()}");
    }

    /// <summary>The tool names of the default view, in a fresh session (so the list reflects the registry now).</summary>
    private static async Task<IReadOnlyList<string>> DefaultViewToolsAsync(GatewayHarness gateway)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var client = new McpHttpTestClient(http, new Uri(gateway.BaseAddress, "mcp"));
        await client.InitializeAsync();
        var tools = (await client.CallAsync("tools/list"))["result"]!["tools"]!.AsArray();
        return [.. tools.Select(tool => (string)tool!["name"]!)];
    }
}
