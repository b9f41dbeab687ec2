using System.Net;
using System.Text.Json.Nodes;
using FluentAssertions;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Admin;

/// <summary>Virtual servers, <c>/deploy</c>, export and the config status through the admin API of a real gateway.</summary>
public sealed class AdminApiRegistryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-admin-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Task<GatewayHarness> StartAsync() => GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("filed"));

    private static async Task<List<string>> ToolNamesAsync(McpHttpTestClient client) =>
        [.. (await client.CallAsync("tools/list"))["result"]!["tools"]!.AsArray().Select(t => (string)t!["name"]!)];

    private static async Task<McpHttpTestClient> ConnectAsync(GatewayHarness gateway, string path)
    {
        var client = new McpHttpTestClient(gateway.Http, new Uri(gateway.BaseAddress, path));
        await client.InitializeAsync();
        return client;
    }

    [Fact]
    public async Task VirtualServer_CreateServeUpdateDelete_FollowsTheApi()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        (await api.PostAsync("api/v1/servers", AdminApiClient.Demo("stored"))).Status.Should().Be(HttpStatusCode.Created);

        var created = await api.PostAsync("api/v1/virtual-servers", JsonNode.Parse("""{"name":"review","servers":["stored"],"tools":{"allow":["stored__echo","stored__add"]}}""")!);

        created.Status.Should().Be(HttpStatusCode.Created, created.ToString());
        created.Headers.Location!.ToString().Should().Be("/api/v1/virtual-servers/review");
        created.Json["endpoint"]!.GetValue<string>().Should().Be("/virtual/review/mcp");
        created.Json["members"]!.AsArray().Select(m => (string)m!).Should().Equal("stored");
        var client = await ConnectAsync(gateway, "virtual/review/mcp");
        (await ToolNamesAsync(client)).Should().BeEquivalentTo("stored__echo", "stored__add");

        var patched = await api.PatchAsync("api/v1/virtual-servers/review", JsonNode.Parse("""{"servers":["stored","filed"],"tools":{"allow":["*__echo"]}}""")!);
        patched.Status.Should().Be(HttpStatusCode.OK, patched.ToString());
        (await ToolNamesAsync(await ConnectAsync(gateway, "virtual/review/mcp"))).Should().BeEquivalentTo("stored__echo", "filed__echo");

        var replaced = await api.PutAsync("api/v1/virtual-servers/review", JsonNode.Parse("""{"servers":["filed"],"description":"file only"}""")!);
        replaced.Json["description"]!.GetValue<string>().Should().Be("file only");
        (await api.GetAsync("api/v1/virtual-servers")).Json["virtualServers"]!.AsArray().Select(v => (string)v!["name"]!).Should().Equal("review");

        (await api.DeleteAsync("api/v1/virtual-servers/review")).Status.Should().Be(HttpStatusCode.NoContent);
        (await api.GetAsync("api/v1/virtual-servers/review")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task VirtualServer_InvalidMember_Returns400NamingTheFieldRelativeToTheBody()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);

        var answer = await api.PostAsync("api/v1/virtual-servers", JsonNode.Parse("""{"name":"broken","servers":["filed","ghost"]}""")!);

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        answer.Fields.Should().Contain(field => field.StartsWith("servers", StringComparison.Ordinal));
        (await api.GetAsync("api/v1/virtual-servers/broken")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteServer_ListedByAStoredView_Returns409()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", AdminApiClient.Demo("member"));
        (await api.PostAsync("api/v1/virtual-servers", JsonNode.Parse("""{"name":"uses","servers":["member"]}""")!)).Status.Should().Be(HttpStatusCode.Created);

        var answer = await api.DeleteAsync("api/v1/servers/member");

        answer.Status.Should().Be(HttpStatusCode.Conflict, answer.ToString());
        ((string)answer.Json["detail"]!).Should().Contain("uses");
        (await api.GetAsync("api/v1/servers/member")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Deploy_ClaudeDesktopDocument_RegistersEveryServer()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        var document = new JsonObject
        {
            ["mcpServers"] = new JsonObject { ["one"] = AdminApiClient.Demo(), ["two"] = AdminApiClient.Demo(extra: """{"env":{"LOG_LEVEL":"debug","MCP_DEMO_TEST_TOOLS":"1"}}""") },
            ["globalShortcut"] = "Ctrl+Space",
        };

        var deployed = await api.PostAsync("deploy", document);

        deployed.Status.Should().Be(HttpStatusCode.OK, deployed.ToString());
        deployed.Json["created"]!.AsArray().Select(n => (string)n!).Should().BeEquivalentTo("one", "two");
        var view = await ConnectAsync(gateway, "mcp");
        (await ToolNamesAsync(view)).Should().Contain(["one__echo", "two__echo", "filed__echo"]);

        var again = await api.PostAsync("api/v1/deploy", document);
        again.Json["unchanged"]!.AsArray().Select(n => (string)n!).Should().BeEquivalentTo("one", "two");
    }

    [Fact]
    public async Task Deploy_DocumentWithOneBadEntry_RegistersNone()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        var document = new JsonObject
        {
            ["mcpServers"] = new JsonObject { ["good"] = AdminApiClient.Demo(), ["bad"] = new JsonObject { ["url"] = "not a url" } },
        };

        var answer = await api.PostAsync("api/v1/deploy", document);

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        answer.Fields.Should().Contain("mcpServers.bad.url");
        (await api.GetAsync("api/v1/servers/good")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Export_StartsAGatewayWithTheSameServersAndViews()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        await api.PostAsync("api/v1/servers", AdminApiClient.Demo("stored", """{"tags":["x"],"tools":{"deny":["crash"]}}"""));
        await api.PostAsync("api/v1/virtual-servers", JsonNode.Parse("""{"name":"view","servers":["stored"],"tools":{"allow":["stored__echo"]}}""")!);

        var exported = await api.GetAsync("api/v1/export");

        exported.Status.Should().Be(HttpStatusCode.OK);
        exported.Json["mcpServers"]!["stored"]!["env"]!["MCP_DEMO_TEST_TOOLS"]!.GetValue<string>().Should().Be("***", "literal env values may be secrets: masked like every answer");
        await using var copy = await GatewayHarness.StartAsync(exported.Body!.ToJsonString());
        var copyApi = new AdminApiClient(copy);
        var servers = (await copyApi.GetAsync("api/v1/servers")).Json["servers"]!.AsArray();
        servers.Select(s => (string)s!["name"]!).Should().BeEquivalentTo("filed", "stored");
        servers.Should().AllSatisfy(s => s!["origin"]!.GetValue<string>().Should().Be("file"));
        servers.Single(s => (string)s!["name"]! == "stored")!["tags"]!.AsArray().Select(t => (string)t!).Should().Equal("x");
        (await copyApi.GetAsync("api/v1/virtual-servers/view")).Json["servers"]!.AsArray().Select(s => (string)s!).Should().Equal("stored");
        (await ToolNamesAsync(await ConnectAsync(copy, "virtual/view/mcp"))).Should().Equal("stored__echo");
        (await copyApi.GetAsync("api/v1/export")).Json["mcpServers"]!.ToJsonString().Should().Be(exported.Json["mcpServers"]!.ToJsonString());
    }

    [Fact]
    public async Task Config_AfterARejectedReload_ShowsItsErrors()
    {
        var path = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(path, "gateway: { reloadDebounce: 50ms }\nmcpServers:\n" + GatewayHarness.DemoServer("filed"), TestContext.Current.CancellationToken);
        await using var gateway = await GatewayHarness.StartFromFileAsync(path);
        var api = new AdminApiClient(gateway);
        var before = await api.GetAsync("api/v1/config");
        before.Json["version"]!.GetValue<int>().Should().Be(1);
        before.Json["errors"]!.AsArray().Should().BeEmpty();
        before.Json["store"]!.GetValue<string>().Should().NotBeNullOrEmpty();

        await File.WriteAllTextAsync(path, "gateway: { reloadDebounce: 50ms }\nmcpServers:\n  filed:\n    url: ftp://nowhere\n", TestContext.Current.CancellationToken);
        await gateway.Logs.WaitForEventAsync(2601);

        var after = await api.GetAsync("api/v1/config");
        after.Json["version"]!.GetValue<int>().Should().Be(1);
        after.Json["lastAttempt"].Should().NotBeNull();
        after.Json["errors"]!.AsArray().Select(e => (string)e!["field"]!).Should().Contain("mcpServers.filed.url");
        (await api.GetAsync("api/v1/servers/filed")).Json["command"]!.GetValue<string>().Should().Be("mcp-gateway", "the last good config stays");
    }
}
