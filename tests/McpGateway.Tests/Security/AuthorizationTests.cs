using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Security;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Security;

/// <summary>
/// The authorization rows of the attack matrix: principals (API keys with roles and tenants) against policies, on
/// every endpoint kind. A refusal must read exactly like an unknown name.
/// </summary>
public sealed class AuthorizationTests
{
    private const string Config = """
        gateway: { adminToken: 0123456789abcdef-admin-token }
        auth: { apiKeys: true }
        authorization:
          policies:
            - name: dev
              match: { roles: [dev] }
              servers: [alpha]
              virtualServers: [review]
              tools: { deny: ["*__add"] }
              prompts: { deny: [beta__greeting] }
            - name: acme
              match: { tenants: [acme] }
              virtualServers: ["*"]
              tools: { allow: ["beta__echo*"] }
              resources: { allow: ["demo://readme"] }
            - name: everyone
              match: {}
              tools: { deny: [alpha__crash] }
        virtualServers:
          review:
            servers: [alpha, beta]
            overrides: { alpha__add: { name: plus } }
          acme-view: { servers: [beta], tenant: acme }
          globex-view: { servers: [beta], tenant: globex }
        mcpServers:
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayHarness> StartAsync() =>
        GatewayHarness.StartAsync(Config + "\n" + GatewayHarness.DemoServer("alpha") + GatewayHarness.DemoServer("beta"));

    private static async Task<string> KeyAsync(GatewayHarness gateway, string name, string[] roles, string? tenant = null) =>
        (await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync(name, roles, tenant, null, Ct)).Secret;

    private static McpHttpTestClient Client(GatewayHarness gateway, string key, string path) => McpCalls.Client(gateway, path, key);

    private static Task<McpHttpTestClient> ConnectAsync(GatewayHarness gateway, string key, string path) => McpCalls.ConnectAsync(gateway, path, key);

    private static async Task<List<string>> NamesAsync(McpHttpTestClient client, string method, string property, string key)
    {
        var answer = await client.CallAsync(method, new JsonObject());
        return [.. answer["result"]![property]!.AsArray().Select(item => (string)item![key]!)];
    }

    /// <summary>The error of an answer with the item's name replaced, so a refusal and an unknown name compare byte for byte.</summary>
    private static string ErrorShape(JsonObject answer, string name) =>
        answer["error"]!.ToJsonString().Replace(name, "<name>", StringComparison.Ordinal);

    [Fact]
    public async Task Aggregate_ListsOnlyGrantedServersItems_DenyInAnyPolicyWins()
    {
        await using var gateway = await StartAsync();
        var dev = await ConnectAsync(gateway, await KeyAsync(gateway, "dev", ["dev"]), "mcp");

        var tools = await McpCalls.ToolNamesAsync(dev);

        tools.Should().Contain(["alpha__echo", "alpha__echo_params"]);
        tools.Should().NotContain("alpha__add", "the dev policy denies *__add");
        tools.Should().NotContain("alpha__crash", "the everyone policy denies it, although dev allows every other alpha tool");
        tools.Should().NotContain(t => t.StartsWith("beta__", StringComparison.Ordinal), "no dev policy grants server beta");
    }

    [Fact]
    public async Task DeniedTool_CalledByPrefixedUnprefixedAndRenamedName_AnswersLikeAnUnknownTool()
    {
        await using var gateway = await StartAsync();
        var key = await KeyAsync(gateway, "dev", ["dev"]);
        var aggregate = await ConnectAsync(gateway, key, "mcp");
        var passthrough = await ConnectAsync(gateway, key, "servers/alpha/mcp");
        var view = await ConnectAsync(gateway, key, "virtual/review/mcp");

        var prefixed = await aggregate.CallAsync("tools/call", McpCalls.Call("alpha__add", new JsonObject { ["a"] = 1, ["b"] = 2 }));
        var unknownPrefixed = await aggregate.CallAsync("tools/call", McpCalls.Call("alpha__nosuch"));
        var unprefixed = await passthrough.CallAsync("tools/call", McpCalls.Call("add", new JsonObject { ["a"] = 1, ["b"] = 2 }));
        var renamed = await view.CallAsync("tools/call", McpCalls.Call("plus", new JsonObject { ["a"] = 1, ["b"] = 2 }));
        var unknownInView = await view.CallAsync("tools/call", McpCalls.Call("nosuch"));

        ErrorShape(prefixed, "alpha__add").Should().Be(ErrorShape(unknownPrefixed, "alpha__nosuch"));
        ErrorShape(renamed, "plus").Should().Be(ErrorShape(unknownInView, "nosuch"));
        ErrorShape(unprefixed, "add").Should().Be(ErrorShape(unknownInView, "nosuch"), "passthrough refuses with the words a view uses for an unknown tool");
        (await McpCalls.ToolNamesAsync(passthrough)).Should().Contain("echo").And.NotContain(["add", "crash"]);
        (await McpCalls.ToolNamesAsync(view)).Should().NotContain(["plus", "alpha__add", "alpha__crash"]).And.Contain("beta__echo");
        gateway.Logs.Lines.Should().Contain(l => l.EventId == 5101 && l.Message.Contains("alpha/add", StringComparison.Ordinal), "the log says it was a refusal");
    }

    [Fact]
    public async Task UngrantedServer_AnswersExactlyLikeAnUnknownServer()
    {
        await using var gateway = await StartAsync();
        var key = await KeyAsync(gateway, "dev", ["dev"]);

        var refused = await Client(gateway, key, "servers/beta/mcp").PostAsync(Client(gateway, key, "servers/beta/mcp").Request("ping"));
        var unknown = await Client(gateway, key, "servers/nosuch/mcp").PostAsync(Client(gateway, key, "servers/nosuch/mcp").Request("ping"));

        refused.Status.Should().Be(HttpStatusCode.NotFound);
        unknown.Status.Should().Be(HttpStatusCode.NotFound);
        refused.Body.Replace("beta", "<name>", StringComparison.Ordinal).Should().Be(unknown.Body.Replace("nosuch", "<name>", StringComparison.Ordinal));
        (await gateway.Logs.WaitForEventAsync(5100)).Message.Should().Contain("no applicable policy grants it");
    }

    [Fact]
    public async Task Tenants_SeeOnlyTheirOwnViews_AnotherTenantsViewIsUnknown()
    {
        await using var gateway = await StartAsync();
        var acme = await KeyAsync(gateway, "acme-bot", [], "acme");
        var globex = await KeyAsync(gateway, "globex-bot", [], "globex");

        var own = await ConnectAsync(gateway, acme, "virtual/acme-view/mcp");
        var ownTools = await McpCalls.ToolNamesAsync(own);
        var otherTenants = await Client(gateway, acme, "virtual/globex-view/mcp").PostAsync(Client(gateway, acme, "x").Request("ping"));
        var unknown = await Client(gateway, acme, "virtual/nosuch/mcp").PostAsync(Client(gateway, acme, "x").Request("ping"));
        var globexIntoAcme = await Client(gateway, globex, "virtual/acme-view/mcp").PostAsync(Client(gateway, globex, "x").Request("ping"));

        ownTools.Should().BeEquivalentTo(["beta__echo", "beta__echo_params"], "the acme policy allows beta__echo* only");
        otherTenants.Status.Should().Be(HttpStatusCode.NotFound, "the acme policy grants every view, but globex-view belongs to globex");
        otherTenants.Body.Replace("globex-view", "<name>", StringComparison.Ordinal).Should().Be(unknown.Body.Replace("nosuch", "<name>", StringComparison.Ordinal));
        globexIntoAcme.Status.Should().Be(HttpStatusCode.NotFound, "no globex policy exists, and the view is acme's");
        (await new AdminApiClient(gateway, acme).GetAsync("api/v1/virtual-servers")).Status.Should().Be(HttpStatusCode.Forbidden, "a tenant principal without an admin role has no admin API");
    }

    [Fact]
    public async Task Resources_ListAndReadFollowUriGlobs_ARefusedReadLooksLikeAMissingResource()
    {
        await using var gateway = await StartAsync();
        var acme = await ConnectAsync(gateway, await KeyAsync(gateway, "acme-bot", [], "acme"), "virtual/review/mcp");

        var resources = await NamesAsync(acme, "resources/list", "resources", "uri");
        var templates = await NamesAsync(acme, "resources/templates/list", "resourceTemplates", "uriTemplate");
        var allowed = await acme.CallAsync("resources/read", new JsonObject { ["uri"] = "demo://readme" });
        var refused = await acme.CallAsync("resources/read", new JsonObject { ["uri"] = "demo://item/7" });
        var missing = await acme.CallAsync("resources/read", new JsonObject { ["uri"] = "other://nothing" });

        resources.Should().Equal("demo://readme");
        templates.Should().BeEmpty("demo://item/{id} is not matched by demo://readme");
        ((string?)allowed["result"]?["contents"]?[0]?["text"]).Should().Be("McpGateway demo resource");
        ErrorShape(refused, "demo://item/7").Should().Be(ErrorShape(missing, "other://nothing"));
    }

    [Fact]
    public async Task Prompts_DeniedPromptIsNotListedAndGetAnswersUnknown()
    {
        await using var gateway = await StartAsync();
        var dev = await ConnectAsync(gateway, await KeyAsync(gateway, "dev", ["dev"]), "virtual/review/mcp");

        var prompts = await NamesAsync(dev, "prompts/list", "prompts", "name");
        var refused = await dev.CallAsync("prompts/get", new JsonObject { ["name"] = "beta__greeting", ["arguments"] = new JsonObject { ["name"] = "x" } });
        var unknown = await dev.CallAsync("prompts/get", new JsonObject { ["name"] = "nosuch", ["arguments"] = new JsonObject { ["name"] = "x" } });
        var complete = await dev.CallAsync("completion/complete", new JsonObject
        {
            ["ref"] = new JsonObject { ["type"] = "ref/prompt", ["name"] = "beta__greeting" },
            ["argument"] = new JsonObject { ["name"] = "name", ["value"] = "a" },
        });

        prompts.Should().Equal("alpha__greeting");
        ErrorShape(refused, "beta__greeting").Should().Be(ErrorShape(unknown, "nosuch"));
        ErrorShape(complete, "beta__greeting").Should().Be(ErrorShape(unknown, "nosuch"));
    }

    [Fact]
    public async Task PrincipalWithoutApplicablePolicy_SeesNothing()
    {
        await using var gateway = await StartAsync();
        var key = await KeyAsync(gateway, "stranger", ["guest"]);
        var aggregate = await ConnectAsync(gateway, key, "mcp");

        var tools = await McpCalls.ToolNamesAsync(aggregate);
        var view = await Client(gateway, key, "virtual/review/mcp").PostAsync(Client(gateway, key, "x").Request("ping"));
        var call = await aggregate.CallAsync("tools/call", McpCalls.Call("alpha__echo", new JsonObject { ["message"] = "hi" }));

        tools.Should().BeEmpty();
        view.Status.Should().Be(HttpStatusCode.NotFound);
        ((string?)call["error"]?["message"]).Should().Be("Unknown tool: alpha__echo");
    }
}
