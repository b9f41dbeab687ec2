using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Security;

/// <summary>The SSRF policy (<c>security.upstreams</c>): registered servers may not reach internal addresses; file entries are trusted.</summary>
public sealed class UpstreamAddressPolicyTests
{
    private static Task<GatewayHarness> StartAsync(string security = "") => GatewayHarness.StartAsync(
        (security.Length > 0 ? $"security: {{ upstreams: {{ {security} }} }}\n" : string.Empty) + "mcpServers:\n" + GatewayHarness.DemoServer("filed"));

    // Disabled: an accepted registration must not make the gateway connect anywhere but loopback.
    private static JsonObject Remote(string name, string url) => new() { ["name"] = name, ["url"] = url, ["enabled"] = false };

    [Theory]
    [InlineData("http://127.0.0.1:9/mcp", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[::1]:9/mcp", "loopback")]
    [InlineData("http://10.0.0.1/mcp", "private")]
    [InlineData("http://100.64.0.1/mcp", "carrier-grade NAT")]
    [InlineData("http://[fd00::1]/mcp", "unique local")]
    [InlineData("http://localhost:9/mcp", "loopback")]
    public async Task Register_InternalAddress_Returns400NamingUrlAndHowToAllowIt(string url, string rule)
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);

        var answer = await api.PostAsync("api/v1/servers", Remote("internal", url));

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        answer.Fields.Should().Equal(["url"], answer.ToString());
        var message = (string)answer.Json["errors"]![0]!["message"]!;
        message.Should().Contain(rule).And.Contain("security.upstreams.allowPrivate").And.Contain("security.upstreams.allow");
        (await api.GetAsync("api/v1/servers/internal")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Register_PublicAddressAndUnresolvableName_AreAccepted()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);

        var literal = await api.PostAsync("api/v1/servers", Remote("public", "https://93.184.215.14/mcp"));
        var unresolvable = await api.PostAsync("api/v1/servers", Remote("later", "https://mcp.does-not-resolve.invalid/mcp"));

        literal.Status.Should().Be(HttpStatusCode.Created, literal.ToString());
        unresolvable.Status.Should().Be(HttpStatusCode.Created, unresolvable.ToString());
    }

    [Theory]
    [InlineData("allowPrivate: true", "http://10.0.0.1/mcp")]
    [InlineData("allow: [\"10.1.2.0/24\"]", "http://10.1.2.3/mcp")]
    [InlineData("allow: [\"169.254.169.254\"]", "http://169.254.169.254/mcp")]
    [InlineData("allow: [\"localhost\"]", "http://localhost:9/mcp")]
    [InlineData("allow: [\"::1\"]", "http://[::1]:9/mcp")]
    public async Task Register_InternalAddressAllowedByPolicy_IsAccepted(string security, string url)
    {
        await using var gateway = await StartAsync(security);
        var api = new AdminApiClient(gateway);

        var answer = await api.PostAsync("api/v1/servers", Remote("allowed", url));

        answer.Status.Should().Be(HttpStatusCode.Created, answer.ToString());
    }

    [Fact]
    public async Task Register_AllowEntryOfAnotherRange_StillRefuses()
    {
        await using var gateway = await StartAsync("allow: [\"10.1.2.0/24\", \"mcp.internal.example\"]");
        var api = new AdminApiClient(gateway);

        var answer = await api.PostAsync("api/v1/servers", Remote("other", "http://10.1.3.1/mcp"));

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        answer.Fields.Should().Contain("url");
    }

    [Fact]
    public async Task Patch_UrlToInternalAddress_IsRefused()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);
        (await api.PostAsync("api/v1/servers", Remote("moving", "https://mcp.does-not-resolve.invalid/mcp"))).Status.Should().Be(HttpStatusCode.Created);

        var answer = await api.PatchAsync("api/v1/servers/moving", new JsonObject { ["url"] = "http://169.254.169.254/mcp" });

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        answer.Fields.Should().Contain("url");
        ((string?)(await api.GetAsync("api/v1/servers/moving")).Json["url"]).Should().Be("https://mcp.does-not-resolve.invalid/mcp");
    }

    [Fact]
    public async Task Deploy_WithInternalAddress_IsRefusedAndStoresNothing()
    {
        await using var gateway = await StartAsync();
        var api = new AdminApiClient(gateway);

        var answer = await api.PostAsync("deploy", new JsonObject
        {
            ["mcpServers"] = new JsonObject { ["good"] = AdminApiClient.Demo(), ["metadata"] = new JsonObject { ["url"] = "http://169.254.169.254/" } },
        });

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        (await api.GetAsync("api/v1/servers/good")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RegisteredServer_HostNameResolvingToLoopback_IsRefusedAtConnectTime()
    {
        // Stands for a name that resolved elsewhere at registration and to loopback later (DNS rebinding).
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(ConfigWith(upstream, EntryOrigin.Registry));
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));

        var answer = await TryListToolsAsync(client);
        var refused = await gateway.Logs.WaitForEventAsync(5080, line => (string?)line.Property("Host") == "localhost");

        ((string?)refused.Property("Reason")).Should().Contain("loopback");
        answer.Should().NotContain("whoami");
        upstream.Requests.Should().BeEmpty("the connection is refused before any request is sent");
    }

    [Fact]
    public async Task FileServer_OnLoopback_IsTrusted()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(ConfigWith(upstream, EntryOrigin.File));
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));

        var answer = await TryListToolsAsync(client);

        answer.Should().Contain("whoami");
        gateway.Logs.CountEvents(5080).Should().Be(0);
    }

    private static GatewayConfig ConfigWith(RecordingHttpMcpServer upstream, EntryOrigin origin) => new()
    {
        Servers =
        [
            new ServerConfig
            {
                Name = "remote",
                Transport = ServerTransport.StreamableHttp,
                Url = new UriBuilder(upstream.Endpoint) { Host = "localhost" }.Uri,
                Origin = origin,
            },
        ],
    };

    /// <summary>The tools/list answer as text, or the failure's text: a refused upstream may fail initialize already.</summary>
    private static async Task<string> TryListToolsAsync(McpHttpTestClient client)
    {
        try
        {
            await client.InitializeAsync();
            return (await client.CallAsync("tools/list")).ToJsonString();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex.Message;
        }
    }
}
