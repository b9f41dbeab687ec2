using System.Net;
using System.Text.Json.Nodes;
using FluentAssertions;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Admin;

/// <summary>The server routes of the admin API on a real gateway (Kestrel, real demo server processes).</summary>
public sealed class AdminApiServerTests
{
    private static Task<GatewayHarness> StartAsync(string extraServers = "") =>
        GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("filed") + extraServers);

    /// <summary>Registered servers may point at loopback (the SSRF policy refuses it by default).</summary>
    private static Task<GatewayHarness> StartAllowingPrivateAsync() =>
        GatewayHarness.StartAsync("security: { upstreams: { allowPrivate: true } }\nmcpServers:\n" + GatewayHarness.DemoServer("filed"));

    private static async Task<List<string>> ToolNamesAsync(McpHttpTestClient client) =>
        [.. (await client.CallAsync("tools/list"))["result"]!["tools"]!.AsArray().Select(t => (string)t!["name"]!)];

    private static async Task<List<string>> ServerNamesAsync(AdminApiClient api, string query = "")
    {
        var answer = await api.GetAsync("api/v1/servers" + query);
        answer.Status.Should().Be(HttpStatusCode.OK, answer.ToString());
        return [.. answer.Json["servers"]!.AsArray().Select(server => (string)server!["name"]!)];
    }

    private static async Task<bool> ToolsListChangedAsync(OpenResponse stream)
    {
        while (await stream.ReadEventAsync() is { } sse)
        {
            if ((string?)sse.Message?["method"] == "notifications/tools/list_changed")
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task Register_StdioServer_JoinsMcpAndDisableEnableHideAndRestoreItsTools()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        var view = new McpHttpTestClient(gateway.Http, new Uri(gateway.BaseAddress, "mcp"));
        await view.InitializeAsync("2025-06-18");
        (await ToolNamesAsync(view)).Should().NotContain("added__echo");
        using var stream = await view.OpenGetStreamAsync();

        var created = await api.PostAsync("api/v1/servers", AdminApiClient.Demo("added", """{"tags":["team-a"]}"""));

        created.Status.Should().Be(HttpStatusCode.Created, created.ToString());
        created.Headers.Location!.ToString().Should().Be("/api/v1/servers/added");
        created.Json["origin"]!.GetValue<string>().Should().Be("registry");
        created.Json["transport"]!.GetValue<string>().Should().Be("stdio");
        created.Json["definition"]!["env"]!["MCP_DEMO_TEST_TOOLS"]!.GetValue<string>().Should().Be("***", "env values that are not ${VAR} references are masked");
        (await ToolsListChangedAsync(stream).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).Should().BeTrue();
        (await ToolNamesAsync(view)).Should().Contain(["added__echo", "filed__echo"]);

        var disabled = await api.PostAsync("api/v1/servers/added/disable");
        disabled.Status.Should().Be(HttpStatusCode.OK, disabled.ToString());
        disabled.Json["enabled"]!.GetValue<bool>().Should().BeFalse();
        (await ToolsListChangedAsync(stream).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).Should().BeTrue();
        (await ToolNamesAsync(view)).Should().NotContain("added__echo").And.Contain("filed__echo");

        var toggled = await api.PostAsync("api/v1/servers/added/toggle");
        toggled.Json["enabled"]!.GetValue<bool>().Should().BeTrue();
        (await ToolNamesAsync(view)).Should().Contain("added__echo");
    }

    [Theory]
    [InlineData("""{"name":"nothing","description":"no command, no url"}""", "", "command")]
    [InlineData("""{"name":"badurl","url":"ftp://example.com/mcp"}""", "url", "http")]
    [InlineData("""{"name":"bad name","command":"mcp-gateway"}""", "name", "not allowed")]
    [InlineData("""{"name":"badargs","command":"mcp-gateway","args":["ok", 3, {"x":1}]}""", "args[2]", "")]
    [InlineData("""{"command":"mcp-gateway"}""", "name", "required")]
    public async Task Register_InvalidDefinition_Returns400NamingTheFieldAndStoresNothing(string body, string field, string messagePart)
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        var before = await ServerNamesAsync(api);

        var answer = await api.SendAsync(HttpMethod.Post, "api/v1/servers", body);

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        answer.MediaType.Should().Be("application/problem+json");
        answer.Json["status"]!.GetValue<int>().Should().Be(400);
        answer.Fields.Should().Contain(field, answer.ToString());
        var error = answer.Json["errors"]!.AsArray().First(e => (string)e!["field"]! == field)!;
        if (messagePart.Length > 0)
        {
            ((string)error["message"]!).Should().Contain(messagePart);
        }
        (await ServerNamesAsync(api)).Should().Equal(before);
        var name = (string?)JsonNode.Parse(body)!["name"];
        if (name is not null)
        {
            (await api.GetAsync($"api/v1/servers/{Uri.EscapeDataString(name)}")).Status.Should().Be(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Body_MalformedWrongTypeOrTooBig_IsRefusedWithAProblem()
    {
        await using var gateway = await GatewayHarness.StartAsync("gateway: { maxRequestBodyBytes: 2048 }\nmcpServers:\n" + GatewayHarness.DemoServer("filed"));
        var api = new AdminApiClient(gateway);

        var malformed = await api.SendAsync(HttpMethod.Post, "api/v1/servers", "{\n  \"name\": \"x\",\n  \"command\": }");
        malformed.Status.Should().Be(HttpStatusCode.BadRequest);
        ((string)malformed.Json["detail"]!).Should().Contain("line 3");

        var array = await api.SendAsync(HttpMethod.Post, "api/v1/servers", "[1,2]");
        array.Status.Should().Be(HttpStatusCode.BadRequest);
        ((string)array.Json["detail"]!).Should().Contain("JSON object");

        var text = await api.SendAsync(HttpMethod.Post, "api/v1/servers", "name=x", "text/plain");
        text.Status.Should().Be(HttpStatusCode.UnsupportedMediaType);
        text.MediaType.Should().Be("application/problem+json");

        var big = await api.SendAsync(HttpMethod.Post, "api/v1/servers", $$"""{"name":"big","description":"{{new string('x', 4096)}}","command":"mcp-gateway"}""");
        big.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await api.GetAsync("api/v1/servers/big")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FileServer_ChangesThroughTheApi_Return409ReadOnly()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);

        var answers = new[]
        {
            await api.PutAsync("api/v1/servers/filed", AdminApiClient.Demo()),
            await api.PatchAsync("api/v1/servers/filed", new JsonObject { ["description"] = "x" }),
            await api.DeleteAsync("api/v1/servers/filed"),
            await api.PostAsync("api/v1/servers/filed/disable"),
            await api.PostAsync("api/v1/servers", AdminApiClient.Demo("filed")),
        };

        answers.Should().AllSatisfy(answer =>
        {
            answer.Status.Should().Be(HttpStatusCode.Conflict, answer.ToString());
            ((string)answer.Json["detail"]!).Should().Contain("config file");
        });
        var filed = await api.GetAsync("api/v1/servers/filed");
        filed.Json["origin"]!.GetValue<string>().Should().Be("file");
        filed.Json["enabled"]!.GetValue<bool>().Should().BeTrue();
        filed.Json["description"].Should().BeNull();
    }

    [Fact]
    public async Task Register_DuplicateName_Returns409AndKeepsTheFirst()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        (await api.PostAsync("api/v1/servers", AdminApiClient.Demo("twice", """{"description":"first"}"""))).Status.Should().Be(HttpStatusCode.Created);

        var second = await api.PostAsync("api/v1/servers", AdminApiClient.Demo("twice", """{"description":"second"}"""));

        second.Status.Should().Be(HttpStatusCode.Conflict, second.ToString());
        (await api.GetAsync("api/v1/servers/twice")).Json["description"]!.GetValue<string>().Should().Be("first");
    }

    [Fact]
    public async Task Put_UnknownServerOrOtherName_IsRefused()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        (await api.PutAsync("api/v1/servers/ghost", AdminApiClient.Demo())).Status.Should().Be(HttpStatusCode.NotFound);
        (await api.PostAsync("api/v1/servers", AdminApiClient.Demo("real"))).Status.Should().Be(HttpStatusCode.Created);

        var renamed = await api.PutAsync("api/v1/servers/real", AdminApiClient.Demo("other"));

        renamed.Status.Should().Be(HttpStatusCode.BadRequest);
        renamed.Fields.Should().Equal("name");
    }

    [Fact]
    public async Task Patch_MergesIntoTheStoredDefinition()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", AdminApiClient.Demo("patched", """{"description":"before","tags":["a"]}"""));

        var patched = await api.PatchAsync("api/v1/servers/patched", JsonNode.Parse("""{"description":"after","tags":null,"env":{"EXTRA":"${HOME}"}}""")!);

        patched.Status.Should().Be(HttpStatusCode.OK, patched.ToString());
        patched.Json["description"]!.GetValue<string>().Should().Be("after");
        patched.Json["tags"]!.AsArray().Should().BeEmpty();
        patched.Json["definition"]!["env"]!["EXTRA"]!.GetValue<string>().Should().Be("${HOME}", "references are shown, not masked");
        patched.Json["definition"]!["env"]!["MCP_DEMO_TEST_TOOLS"].Should().NotBeNull("a merge patch keeps keys it does not name");
        patched.Json["command"]!.GetValue<string>().Should().Be("mcp-gateway");

        var invalid = await api.PatchAsync("api/v1/servers/patched", JsonNode.Parse("""{"url":"https://example.com/mcp"}""")!);
        invalid.Status.Should().Be(HttpStatusCode.BadRequest, invalid.ToString());
        (await api.GetAsync("api/v1/servers/patched")).Json["url"].Should().BeNull("an invalid patch changes nothing");
    }

    [Fact]
    public async Task Delete_RegisteredServer_Returns204AndItIsGone()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", AdminApiClient.Demo("gone"));

        var deleted = await api.DeleteAsync("api/v1/servers/gone");

        deleted.Status.Should().Be(HttpStatusCode.NoContent);
        (await api.GetAsync("api/v1/servers/gone")).Status.Should().Be(HttpStatusCode.NotFound);
        (await api.DeleteAsync("api/v1/servers/gone")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_FiltersByStatusTagAndText()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", AdminApiClient.Demo("alpha", """{"tags":["Team-A"],"description":"Issue tracker"}"""));
        await api.PostAsync("api/v1/servers", AdminApiClient.Demo("beta", """{"tags":["team-b"],"enabled":false}"""));

        (await ServerNamesAsync(api)).Should().BeEquivalentTo("filed", "alpha", "beta");
        (await ServerNamesAsync(api, "?status=all")).Should().BeEquivalentTo("filed", "alpha", "beta");
        (await ServerNamesAsync(api, "?status=enabled")).Should().BeEquivalentTo("filed", "alpha");
        (await ServerNamesAsync(api, "?status=disabled")).Should().BeEquivalentTo("beta");
        (await ServerNamesAsync(api, "?status=unhealthy")).Should().BeEmpty();
        (await ServerNamesAsync(api, "?tag=team-a")).Should().BeEquivalentTo("alpha");
        (await ServerNamesAsync(api, "?q=TRACKER")).Should().BeEquivalentTo("alpha");
        (await ServerNamesAsync(api, "?q=mcp-gateway&status=disabled")).Should().BeEquivalentTo("beta");
    }

    [Fact]
    public async Task List_UnknownStatus_Returns400NamingStatusAndTheChoices()
    {
        await using var gateway = await StartAsync();

        var answer = await new AdminApiClient(gateway).GetAsync("api/v1/servers?status=sleepy");

        answer.Status.Should().Be(HttpStatusCode.BadRequest);
        answer.Fields.Should().Equal("status");
        answer.Json["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("all, enabled, disabled, unhealthy");
    }

    [Fact]
    public async Task Tools_OfOneServerOfAllAndRefresh_ListTheServersOwnTools()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", AdminApiClient.Demo("narrow", """{"tools":{"allow":["echo","add"]}}"""));

        var one = await api.GetAsync("api/v1/servers/narrow/tools");
        one.Status.Should().Be(HttpStatusCode.OK, one.ToString());
        one.Json["tools"]!.AsArray().Select(t => (string)t!["name"]!).Should().Contain(["echo", "add", "pid"]);
        one.Json["exposed"]!.AsArray().Select(t => (string)t!).Should().BeEquivalentTo("echo", "add");

        var all = await api.GetAsync("api/v1/tools");
        all.Json["servers"]!.AsArray().Select(s => (string)s!["server"]!).Should().BeEquivalentTo("filed", "narrow");
        all.Json["servers"]!.AsArray().Should().AllSatisfy(s => s!["tools"]!.AsArray().Should().NotBeEmpty());

        var startsBefore = StartsOf(gateway, "narrow");
        var refreshed = await api.PostAsync("api/v1/servers/narrow/refresh");
        refreshed.Status.Should().Be(HttpStatusCode.OK, refreshed.ToString());
        DateTimeOffset.Parse((string)refreshed.Json["fetchedAt"]!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeAfter(DateTimeOffset.Parse((string)one.Json["fetchedAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        StartsOf(gateway, "narrow").Should().BeGreaterThan(startsBefore, "refresh reconnects: the stdio process is started anew");

        (await api.GetAsync("api/v1/servers/ghost/tools")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    /// <summary>How many times the server's process was started (event 1002).</summary>
    private static int StartsOf(GatewayHarness gateway, string server) =>
        gateway.Logs.Lines.Count(l => l.EventId == 1002 && (string?)l.Property("Server") == server);

    [Fact]
    public async Task Tools_UnreachableServer_Returns502()
    {
        await using var gateway = await StartAllowingPrivateAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", new JsonObject { ["name"] = "down", ["url"] = "http://127.0.0.1:9/mcp" });

        var answer = await api.GetAsync("api/v1/servers/down/tools");

        answer.Status.Should().Be(HttpStatusCode.BadGateway, answer.ToString());
        answer.MediaType.Should().Be("application/problem+json");
        var all = await api.GetAsync("api/v1/tools");
        all.Json["servers"]!.AsArray().Single(s => (string)s!["server"]! == "down")!["error"].Should().NotBeNull();
    }

    [Fact]
    public async Task Tools_DisabledServer_Returns409WithoutConnecting()
    {
        await using var gateway = await StartAllowingPrivateAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", new JsonObject { ["name"] = "off", ["url"] = "http://127.0.0.1:9/mcp", ["enabled"] = false });

        var tools = await api.GetAsync("api/v1/servers/off/tools");
        var refresh = await api.PostAsync("api/v1/servers/off/refresh");

        tools.Status.Should().Be(HttpStatusCode.Conflict, tools.ToString());
        tools.Json["detail"]!.GetValue<string>().Should().Contain("disabled");
        refresh.Status.Should().Be(HttpStatusCode.Conflict, refresh.ToString());
    }

    [Fact]
    public async Task HealthCheck_ChecksNowAndHealthListsTheServer()
    {
        await using var gateway = await GatewayHarness.StartAsync("gateway: { health: { interval: 1h, timeout: 10s } }\nmcpServers:\n" + GatewayHarness.DemoServer("filed"));
        var api = new AdminApiClient(gateway);

        var check = await api.PostAsync("api/v1/servers/filed/health-check");

        check.Status.Should().Be(HttpStatusCode.OK, check.ToString());
        check.Json["status"]!.GetValue<string>().Should().Be("healthy");
        check.Json["lastCheck"].Should().NotBeNull();
        var health = await api.GetAsync("api/v1/health");
        health.Json["upstreams"]!.GetValue<string>().Should().Be("healthy");
        health.Json["servers"]!.AsArray().Single()!["name"]!.GetValue<string>().Should().Be("filed");
        (await api.GetAsync("api/v1/servers/filed")).Json["health"]!["status"]!.GetValue<string>().Should().Be("healthy");
        (await api.PostAsync("api/v1/servers/ghost/health-check")).Status.Should().Be(HttpStatusCode.NotFound);
    }
}
