using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.Tests.Aggregation;

/// <summary>Virtual servers over real stdio members: merging, naming, filters, overrides, pagination, routing, failure.</summary>
public sealed class VirtualServerTests
{
    private static JsonObject Call(string tool, JsonObject? arguments = null) => new() { ["name"] = tool, ["arguments"] = arguments ?? new JsonObject() };

    private static string Text(JsonObject answer) => (string?)answer["result"]?["content"]?[0]?["text"] ?? answer.ToJsonString();

    private static McpHttpTestClient ClientOf(GatewayHarness gateway, string path) => new(gateway.Http, new Uri(gateway.BaseAddress, path));

    private static async Task<List<string>> NamesAsync(McpHttpTestClient client, string method = "tools/list", string property = "tools", string key = "name")
    {
        var names = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.CallAsync(method, cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor });
            names.AddRange(page["result"]![property]!.AsArray().Select(t => (string)t![key]!));
            cursor = (string?)page["result"]!["nextCursor"];
        }
        while (cursor is not null);
        return names;
    }

    private static string TwoDemos(string extra = "") => $"""
        mcpServers:
        {GatewayHarness.DemoServer("alpha")}
        {GatewayHarness.DemoServer("beta")}
        {extra}
        """;

    [Fact]
    public async Task DefaultView_MergesEveryMemberWithPrefixes_AndRoutesCallsToTheOwner()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        var client = ClientOf(gateway, "mcp");
        var init = await client.InitializeAsync();

        var names = await NamesAsync(client);
        var alphaPid = Text(await client.CallAsync("tools/call", Call("alpha__pid")));
        var betaPid = Text(await client.CallAsync("tools/call", Call("beta__pid")));

        ((string?)init["result"]!["serverInfo"]!["name"]).Should().StartWith("mcp-gateway");
        init["result"]!["capabilities"]!["tools"]!["listChanged"]!.GetValue<bool>().Should().BeTrue();
        names.Should().Contain(["alpha__echo", "alpha__add", "beta__echo", "beta__add"]);
        names.Should().OnlyHaveUniqueItems();
        alphaPid.Should().NotBe(betaPid, "each prefixed tool runs on its own member");
        Text(await client.CallAsync("tools/call", Call("beta__echo", new JsonObject { ["message"] = "via beta" }))).Should().Be("via beta");
    }

    [Fact]
    public async Task View_AllowAndDenyGlobs_HideToolsFromListsAndCalls()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos("""
            virtualServers:
              narrow:
                servers: [alpha, beta]
                tools: { allow: ["alpha__e*", "beta__add"], deny: ["*params"] }
            """));
        var client = ClientOf(gateway, "virtual/narrow/mcp");
        await client.InitializeAsync();

        var names = await NamesAsync(client);
        var hidden = await client.CallAsync("tools/call", Call("beta__echo", new JsonObject { ["message"] = "x" }));
        var unknown = await client.CallAsync("tools/call", Call("no__such_tool"));

        names.Should().BeEquivalentTo(["alpha__echo", "alpha__env", "beta__add"]);
        ((int?)hidden["error"]!["code"]).Should().Be(-32602);
        ((string?)hidden["error"]!["message"]).Should().Be("Unknown tool: beta__echo");
        ((int?)unknown["error"]!["code"]).Should().Be((int?)hidden["error"]!["code"], "a filtered tool must look exactly like one that does not exist");
    }

    [Fact]
    public async Task View_OverridesRenameDescribeAndHide()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos("""
            virtualServers:
              tuned:
                servers: [alpha]
                overrides:
                  alpha__echo: { name: say, title: Say it, description: Repeats what you say, annotations: { readOnlyHint: true } }
                  alpha__crash: { hidden: true }
            """));
        var client = ClientOf(gateway, "virtual/tuned/mcp");
        await client.InitializeAsync();

        var tools = (await client.CallAsync("tools/list"))["result"]!["tools"]!.AsArray();
        var say = tools.Single(t => (string?)t!["name"] == "say")!;
        var said = Text(await client.CallAsync("tools/call", Call("say", new JsonObject { ["message"] = "renamed" })));

        ((string?)say["title"]).Should().Be("Say it");
        ((string?)say["description"]).Should().Be("Repeats what you say");
        ((bool?)say["annotations"]!["readOnlyHint"]).Should().BeTrue();
        say["inputSchema"]!["properties"]!["message"].Should().NotBeNull("fields not overridden pass through");
        tools.Select(t => (string?)t!["name"]).Should().NotContain(["alpha__echo", "alpha__crash"]);
        said.Should().Be("renamed");
    }

    [Fact]
    public async Task View_NamingNone_KeepsUpstreamNames()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos("""
            virtualServers:
              plain: { servers: [beta], naming: none }
            """));
        var client = ClientOf(gateway, "virtual/plain/mcp");
        await client.InitializeAsync();

        var names = await NamesAsync(client);

        names.Should().Contain(["echo", "add"]).And.NotContain(n => n.Contains("__", StringComparison.Ordinal));
        Text(await client.CallAsync("tools/call", Call("echo", new JsonObject { ["message"] = "plain" }))).Should().Be("plain");
    }

    [Fact]
    public async Task View_Pagination_PagesWithOpaqueCursors_InvalidCursorIs32602()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos("""
            virtualServers:
              paged: { pageSize: 4 }
            """));
        var client = ClientOf(gateway, "virtual/paged/mcp");
        await client.InitializeAsync();

        var first = await client.CallAsync("tools/list");
        var all = await NamesAsync(client);
        var invalid = await client.CallAsync("tools/list", new JsonObject { ["cursor"] = "not-a-cursor" });

        first["result"]!["tools"]!.AsArray().Should().HaveCount(4);
        ((string?)first["result"]!["nextCursor"]).Should().NotBeNullOrEmpty();
        all.Should().OnlyHaveUniqueItems().And.HaveCountGreaterThan(8).And.Contain(["alpha__echo", "beta__pid"]);
        ((int?)invalid["error"]!["code"]).Should().Be(-32602);
    }

    [Fact]
    public async Task View_PromptsAndResources_AreMergedAndRouted()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        var client = ClientOf(gateway, "mcp");
        await client.InitializeAsync();

        var prompts = await NamesAsync(client, "prompts/list", "prompts");
        var prompt = await client.CallAsync("prompts/get", new JsonObject { ["name"] = "beta__greeting", ["arguments"] = new JsonObject { ["name"] = "Ada" } });
        var resources = await NamesAsync(client, "resources/list", "resources", "uri");
        var read = await client.CallAsync("resources/read", new JsonObject { ["uri"] = "demo://readme" });
        var missing = await client.CallAsync("resources/read", new JsonObject { ["uri"] = "demo://nope" });

        prompts.Should().Contain(["alpha__greeting", "beta__greeting"]);
        ((string?)prompt["result"]!["messages"]![0]!["content"]!["text"]).Should().Be("Hello, Ada!");
        resources.Should().Equal("demo://readme");   // both members serve it: the first member keeps it
        ((string?)read["result"]!["contents"]![0]!["text"]).Should().Be("McpGateway demo resource");
        ((int?)missing["error"]!["code"]).Should().Be(-32002);
        (await gateway.Logs.WaitForEventAsync(2503)).Message.Should().Contain("demo://readme").And.Contain("alpha").And.Contain("beta");
    }

    [Fact]
    public async Task View_CompletionTemplatesSubscribeAndLogging_AreRoutedToTheRightMembers()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        var client = ClientOf(gateway, "mcp");
        var init = await client.InitializeAsync();
        var betaPid = Text(await client.CallAsync("tools/call", Call("beta__pid")));
        var alphaPid = Text(await client.CallAsync("tools/call", Call("alpha__pid")));

        var completion = await client.CallAsync("completion/complete", new JsonObject
        {
            ["ref"] = new JsonObject { ["type"] = "ref/prompt", ["name"] = "beta__greeting" },
            ["argument"] = new JsonObject { ["name"] = "name", ["value"] = "A" },
        });
        var templates = await NamesAsync(client, "resources/templates/list", "resourceTemplates", "uriTemplate");
        var item = await client.CallAsync("resources/read", new JsonObject { ["uri"] = "demo://item/42" });
        var subscribed = await client.CallAsync("resources/subscribe", new JsonObject { ["uri"] = "demo://readme" });
        var level = await client.CallAsync("logging/setLevel", new JsonObject { ["level"] = "debug" });

        var capabilities = init["result"]!["capabilities"]!;
        capabilities["completions"].Should().NotBeNull();
        capabilities["logging"].Should().NotBeNull();
        ((bool?)capabilities["resources"]!["subscribe"]).Should().BeTrue();
        completion["result"]!["completion"]!["values"]!.AsArray().Select(v => (string?)v).Should().Equal("greeting", betaPid);
        templates.Should().Equal("demo://item/{id}");
        ((string?)item["result"]!["contents"]![0]!["text"]).Should().Be("item 42");
        subscribed["result"].Should().NotBeNull();
        level["result"].Should().NotBeNull();
        Text(await client.CallAsync("tools/call", Call("alpha__subscriptions"))).Should().Be("demo://readme", "the first member owns demo://readme");
        Text(await client.CallAsync("tools/call", Call("beta__subscriptions"))).Should().BeEmpty();
        Text(await client.CallAsync("tools/call", Call("alpha__log_levels"))).Should().Be("debug");
        Text(await client.CallAsync("tools/call", Call("beta__log_levels"))).Should().Be("debug", "logging/setLevel goes to every member");
        alphaPid.Should().NotBe(betaPid);
    }

    [Fact]
    public async Task View_ResourceConflictsError_ReadNamesBothServers()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos("""
            virtualServers:
              strict: { resourceConflicts: error }
            """));
        var client = ClientOf(gateway, "virtual/strict/mcp");
        await client.InitializeAsync();

        var read = await client.CallAsync("resources/read", new JsonObject { ["uri"] = "demo://readme" });

        ((int?)read["error"]!["code"]).Should().Be(-32002);
        ((string?)read["error"]!["message"]).Should().Contain("alpha").And.Contain("beta");
    }

    [Theory]
    [InlineData("serveLastKnown", true)]
    [InlineData("omit", false)]
    public async Task View_MemberDown_ListServesLastKnownOrOmits_AndCallsNameTheServer(string mode, bool expectLastKnown)
    {
        var downMarker = Path.Combine(Path.GetTempPath(), $"mcpgw-down-{Guid.NewGuid():N}");
        try
        {
            await using var gateway = await GatewayHarness.StartAsync($"""
                mcpServers:
                {GatewayHarness.DemoServer("steady")}
                  flaky:
                    command: mcp-gateway
                    args: ["demo-server"]
                    env: {"{"} MCP_DEMO_TEST_TOOLS: "1", MCP_DEMO_EXIT_IF_FILE: "{downMarker}" {"}"}
                virtualServers:
                  both: {"{"} onUpstreamFailure: {mode} {"}"}
                """);
            var first = ClientOf(gateway, "virtual/both/mcp");
            await first.InitializeAsync();
            (await NamesAsync(first)).Should().Contain("flaky__echo");
            await File.WriteAllTextAsync(downMarker, "down");

            var second = ClientOf(gateway, "virtual/both/mcp");
            await second.InitializeAsync();
            var names = await NamesAsync(second);
            var toDown = await second.CallAsync("tools/call", Call("flaky__echo", new JsonObject { ["message"] = "x" }));
            var toUp = await second.CallAsync("tools/call", Call("steady__echo", new JsonObject { ["message"] = "still fast" }));

            names.Contains("flaky__echo").Should().Be(expectLastKnown);
            names.Should().Contain("steady__echo");
            ((string?)toDown["error"]!["message"]).Should().Contain(expectLastKnown ? "'flaky'" : "Unknown tool: flaky__echo");
            Text(toUp).Should().Be("still fast");
        }
        finally
        {
            File.Delete(downMarker);
        }
    }

    [Fact]
    public async Task View_MemberDown_FailMode_ListErrorNamesTheServer()
    {
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
            {GatewayHarness.DemoServer("steady")}
              missing: {"{"} command: no-such-mcp-binary {"}"}
            virtualServers:
              strict: {"{"} onUpstreamFailure: fail {"}"}
            """);
        var client = ClientOf(gateway, "virtual/strict/mcp");
        await client.InitializeAsync();

        var list = await client.CallAsync("tools/list");

        ((int?)list["error"]!["code"]).Should().Be(-32000);
        ((string?)list["error"]!["message"]).Should().Contain("'missing'");
    }

    [Fact]
    public async Task View_UpstreamListChanged_ReachesTheClientAndRefreshesTheCatalog()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        var client = ClientOf(gateway, "mcp");
        await client.InitializeAsync("2025-06-18");
        await NamesAsync(client);
        using var stream = await client.OpenGetStreamAsync();

        await client.CallAsync("tools/call", Call("beta__announce_list_changed"));
        var notification = await stream.ReadEventAsync();

        ((string?)notification!.Message!["method"]).Should().Be("notifications/tools/list_changed");
        (await NamesAsync(client)).Should().Contain("beta__echo");
    }

    [Fact]
    public async Task View_ConfigChange_NotifiesListChangedAndAppliesTheNewFilters()
    {
        string Config(string allow) => TwoDemos($$"""
            virtualServers:
              narrow: { servers: [alpha], tools: { allow: ["{{allow}}"] } }
            """);
        await using var gateway = await GatewayHarness.StartAsync(Config("alpha__echo"));
        var client = ClientOf(gateway, "virtual/narrow/mcp");
        await client.InitializeAsync("2025-06-18");
        var before = await NamesAsync(client);
        using var stream = await client.OpenGetStreamAsync();

        var next = McpGateway.Configuration.GatewayConfigLoader.LoadText(Config("alpha__add"), "reloaded.yaml").Config!;
        gateway.Services.GetRequiredService<McpGateway.Configuration.GatewayConfigProvider>().Update(next);
        var notification = await stream.ReadEventAsync();
        var after = await NamesAsync(client);

        before.Should().Equal("alpha__echo");
        ((string?)notification!.Message!["method"]).Should().Be("notifications/tools/list_changed");
        after.Should().Equal("alpha__add");
    }

    [Fact]
    public async Task View_ProgressAndCancellation_ReachTheRightMember()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        var client = ClientOf(gateway, "mcp");
        await client.InitializeAsync("2025-06-18");

        var progress = await client.PostAsync(client.Request("tools/call", new JsonObject
        {
            ["name"] = "alpha__progress",
            ["arguments"] = new JsonObject { ["steps"] = 2 },
            ["_meta"] = new JsonObject { ["progressToken"] = "tok" },
        }));
        using var open = await client.OpenAsync(client.Request("tools/call", new JsonObject { ["name"] = "beta__hang", ["_meta"] = new JsonObject { ["progressToken"] = 9 } }, id: "to-cancel"));
        (await open.ReadMessageAsync()).Should().NotBeNull();
        await client.PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/cancelled", ["params"] = new JsonObject { ["requestId"] = "to-cancel" } });
        var beta = Text(await client.CallAsync("tools/call", Call("beta__cancellations")));
        var alpha = Text(await client.CallAsync("tools/call", Call("alpha__cancellations")));

        progress.Messages.Where(m => (string?)m["method"] == "notifications/progress").Select(m => (string?)m["params"]!["progressToken"]).Should().Equal("tok", "tok");
        beta.Should().Be("1");
        alpha.Should().Be("0");
    }

    [Fact]
    public async Task View_Sampling_ThroughSdkClient_RoundTrips()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(gateway.BaseAddress, "mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions
            {
                ProtocolVersion = "2025-11-25",
                Handlers = new McpClientHandlers
                {
                    SamplingHandler = (_, _, _) => ValueTask.FromResult(new CreateMessageResult
                    {
                        Model = "m",
                        Role = Role.Assistant,
                        Content = [new TextContentBlock { Text = "from the client" }],
                    }),
                },
            });

        var tools = await client.ListToolsAsync();
        var result = await client.CallToolAsync("beta__sample", new Dictionary<string, object?> { ["prompt"] = JsonSerializer.SerializeToElement("hi") });

        tools.Select(t => t.Name).Should().Contain("alpha__sample");
        ((TextContentBlock)result.Content[0]).Text.Should().Be("sampled: from the client");
    }

    [Fact]
    public async Task View_StatelessClient_DiscoversAndCallsWithoutSession()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        var client = ClientOf(gateway, "mcp");
        var meta = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
        };

        var discover = await client.PostAsync(client.Request("server/discover", new JsonObject { ["_meta"] = meta.DeepClone() }), r => r.Headers.Add("MCP-Protocol-Version", "2026-07-28"));
        var call = await client.PostAsync(client.Request("tools/call", new JsonObject { ["name"] = "alpha__echo", ["arguments"] = new JsonObject { ["message"] = "stateless" }, ["_meta"] = meta.DeepClone() }), r => r.Headers.Add("MCP-Protocol-Version", "2026-07-28"));

        discover.Last["result"]!["capabilities"]!["tools"].Should().NotBeNull();
        ((string?)call.Last["result"]!["content"]![0]!["text"]).Should().Be("stateless");
    }

    [Theory]
    [InlineData("sse", "/message?sessionId=")]
    [InlineData("virtual/calc/sse", "/virtual/calc/message?sessionId=")]
    public async Task View_OverLegacySse_ListsAndCallsOnTheEventStream(string ssePath, string expectedEndpoint)
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos("""
            virtualServers:
              calc: { servers: [alpha], tools: { allow: ["alpha__add"] } }
            """));
        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseAddress, ssePath));
        get.Headers.Accept.ParseAdd("text/event-stream");
        using var stream = await gateway.Http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().Be("event: endpoint");
        var endpoint = (await reader.ReadLineAsync())!["data: ".Length..];
        var messageUrl = new Uri(gateway.BaseAddress, endpoint);

        async Task<JsonObject> AskAsync(JsonObject message)
        {
            using var posted = await gateway.Http.PostAsync(messageUrl, new StringContent(message.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            posted.StatusCode.Should().Be(HttpStatusCode.Accepted);
            return (await SseEvent.ReadAsync(reader))!.Message!;
        }

        await AskAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "initialize",
            ["params"] = new JsonObject { ["protocolVersion"] = "2024-11-05", ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "sse", ["version"] = "1" } },
        });
        var tools = await AskAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 2, ["method"] = "tools/list" });
        var sum = await AskAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0", ["id"] = 3, ["method"] = "tools/call",
            ["params"] = new JsonObject { ["name"] = "alpha__add", ["arguments"] = new JsonObject { ["a"] = 2, ["b"] = 3 } },
        });

        endpoint.Should().StartWith(expectedEndpoint);
        tools["result"]!["tools"]!.AsArray().Select(t => (string?)t!["name"]).Should().Contain("alpha__add");
        Text(sum).Should().Be("5");
    }

    [Fact]
    public async Task UnknownView_Returns404NamingIt_AndSessionIdsDoNotCrossEndpoints()
    {
        await using var gateway = await GatewayHarness.StartAsync(TwoDemos());
        var passthrough = ClientOf(gateway, "servers/alpha/mcp");
        await passthrough.InitializeAsync();
        var view = ClientOf(gateway, "mcp");
        view.SessionId = passthrough.SessionId;

        var unknown = await ClientOf(gateway, "virtual/nope/mcp").PostAsync(view.Request("ping"));
        var crossed = await view.PostAsync(view.Request("tools/list"));

        unknown.Status.Should().Be(HttpStatusCode.NotFound);
        ((string?)JsonNode.Parse(unknown.Body)!["server"]).Should().Be("nope");
        crossed.Status.Should().Be(HttpStatusCode.NotFound);
    }
}
