using System.Text;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Upstreams;

/// <summary>OAuth 2.0 client credentials for HTTP upstreams (<c>auth: { type: clientCredentials }</c>), against a real token endpoint on loopback.</summary>
public sealed class ClientCredentialsTests
{
    private const string Secret = "s3cret/with:odd chars";

    private static Task<GatewayHarness> StartGatewayAsync(RecordingHttpMcpServer upstream, TokenEndpoint tokens, string extraAuth = "") => GatewayHarness.StartAsync($$"""
        mcpServers:
          remote:
            url: "{{upstream.Endpoint}}"
            transport: streamable-http
            health: false
            auth: { type: clientCredentials, tokenUrl: "{{tokens.Url}}", clientId: gateway, clientSecret: "${CLIENT_SECRET}", scope: "mcp.read mcp.write"{{extraAuth}} }
        """, name => name == "CLIENT_SECRET" ? Secret : null);

    private static async Task<McpHttpTestClient> InitializedClientAsync(GatewayHarness gateway)
    {
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));
        await client.InitializeAsync();
        return client;
    }

    [Fact]
    public async Task Token_IsFetchedOnceWithBasicAuthAndReusedAcrossCalls()
    {
        await using var tokens = await TokenEndpoint.StartAsync(expiresIn: 3600);
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream, tokens);
        var client = await InitializedClientAsync(gateway);

        await client.CallAsync("tools/list");
        await client.CallAsync("tools/list");

        tokens.RequestCount.Should().Be(1);
        var (form, authorization) = tokens.Requests.Single();
        form.Should().Contain("grant_type", "client_credentials").And.Contain("scope", "mcp.read mcp.write").And.NotContainKey("client_secret");
        var basic = $"{Uri.EscapeDataString("gateway")}:{Uri.EscapeDataString(Secret)}";
        authorization.Should().Be("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        upstream.Requests.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(headers => headers["Authorization"] == "Bearer token-1");
    }

    [Fact]
    public async Task ClientSecretPost_SendsTheCredentialsInTheForm()
    {
        await using var tokens = await TokenEndpoint.StartAsync(expiresIn: 3600);
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream, tokens, ", audience: https://api.example.com, tokenEndpointAuthMethod: client_secret_post");

        await InitializedClientAsync(gateway);

        var (form, authorization) = tokens.Requests.Single();
        authorization.Should().BeEmpty();
        form.Should().Contain("client_id", "gateway").And.Contain("client_secret", Secret).And.Contain("audience", "https://api.example.com");
    }

    [Fact]
    public async Task ExpiredToken_IsRefreshedBeforeTheNextRequest()
    {
        // expires_in 0: every token is already due for refresh when the next request goes out, so no waiting is needed.
        await using var tokens = await TokenEndpoint.StartAsync(expiresIn: 0);
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream, tokens);
        var client = await InitializedClientAsync(gateway);

        await client.CallAsync("tools/list");

        var sent = upstream.Requests.Select(headers => headers["Authorization"].ToString()).ToList();
        // GETs (standalone streams) take tokens too but are not in Requests: at least one token per POST.
        sent.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyHaveUniqueItems("each request needed a fresh token");
        tokens.RequestCount.Should().BeGreaterThanOrEqualTo(sent.Count);
    }

    [Fact]
    public async Task Upstream401_DropsTheTokenAndRetriesOnceWithANewOne()
    {
        await using var tokens = await TokenEndpoint.StartAsync(expiresIn: 3600);
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream, tokens);
        var client = await InitializedClientAsync(gateway);
        upstream.Unauthorized = headers => headers["Authorization"] == "Bearer token-1";

        var answer = await client.CallAsync("tools/list");

        ((string?)answer["result"]!["tools"]![0]!["name"]).Should().Be("whoami");
        tokens.RequestCount.Should().Be(2);
        gateway.Logs.CountEvents(5092).Should().Be(1);
        upstream.Requests.Last()["Authorization"].ToString().Should().Be("Bearer token-2");
    }

    [Fact]
    public async Task Upstream401Twice_IsReportedWithoutAThirdTry()
    {
        await using var tokens = await TokenEndpoint.StartAsync(expiresIn: 3600);
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream, tokens);
        var client = await InitializedClientAsync(gateway);
        var before = upstream.Requests.Count;
        upstream.Unauthorized = _ => true;

        var answer = await client.CallAsync("tools/list");

        answer["error"].Should().NotBeNull(answer.ToJsonString());
        (upstream.Requests.Count - before).Should().Be(2, "one request and one retry");
        tokens.RequestCount.Should().Be(2);
    }
}
