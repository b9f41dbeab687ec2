using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Security;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Security;

/// <summary>RFC 9728 documents over HTTP from a real gateway, and the <c>WWW-Authenticate</c> values pointing at them.</summary>
public sealed class ProtectedResourceMetadataTests
{
    private const string AuthSection = """
        auth:
          resource: https://gw.example.com
          jwt:
            issuer: https://issuer.test/
            keys: [{ kty: EC, crv: P-256, kid: k1, x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", y: "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM" }]
            requiredScopes: [mcp:tools]
        """;

    private static Task<GatewayHarness> Start(string auth = AuthSection) =>
        GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("demo") + "virtualServers:\n  review: { servers: [demo] }\n" + auth);

    private static async Task<JsonObject> Get(GatewayHarness gateway, string path)
    {
        using var response = await gateway.Http.GetAsync(path, TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.OK, path);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
    }

    [Theory]
    [InlineData("", "https://gw.example.com", "MCP Gateway")]
    [InlineData("/mcp", "https://gw.example.com/mcp", "MCP Gateway /mcp")]
    [InlineData("/servers/demo/mcp", "https://gw.example.com/servers/demo/mcp", "MCP Gateway /servers/demo/mcp")]
    [InlineData("/virtual/review/mcp", "https://gw.example.com/virtual/review/mcp", "MCP Gateway /virtual/review/mcp")]
    public async Task Get_WellKnownForEndpoint_DescribesThatResource(string suffix, string resource, string name)
    {
        await using var gateway = await Start();

        var document = await Get(gateway, "/.well-known/oauth-protected-resource" + suffix);

        JsonNode.DeepEquals(document, new JsonObject
        {
            ["resource"] = resource,
            ["authorization_servers"] = new JsonArray("https://issuer.test/"),
            ["bearer_methods_supported"] = new JsonArray("header"),
            ["scopes_supported"] = new JsonArray("mcp:tools"),
            ["resource_name"] = name,
        }).Should().BeTrue(document.ToJsonString());
    }

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource/servers/nosuch/mcp")]
    [InlineData("/.well-known/oauth-protected-resource/virtual/nosuch/mcp")]
    public async Task Get_WellKnownForUnknownServerOrView_NotFound(string path)
    {
        await using var gateway = await Start();

        using var response = await gateway.Http.GetAsync(path, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_WellKnownWithoutJwtConfigured_NotFound()
    {
        await using var gateway = await Start(auth: string.Empty);

        using var response = await gateway.Http.GetAsync("/.well-known/oauth-protected-resource/mcp", TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_WellKnownWithoutResourceConfigured_ResourceIsTheAddressDialled()
    {
        await using var gateway = await Start(AuthSection.Replace("  resource: https://gw.example.com\n", string.Empty, StringComparison.Ordinal).Replace("issuer: https://issuer.test/", "issuer: https://issuer.test/\n    audience: api://gateway", StringComparison.Ordinal));

        var document = await Get(gateway, "/.well-known/oauth-protected-resource/mcp");

        document["resource"]!.GetValue<string>().Should().Be(gateway.BaseAddress.AbsoluteUri.TrimEnd('/') + "/mcp");
    }

    [Theory]
    [InlineData("/mcp", "https://gw.example.com/.well-known/oauth-protected-resource/mcp")]
    [InlineData("/servers/demo/mcp", "https://gw.example.com/.well-known/oauth-protected-resource/servers/demo/mcp")]
    [InlineData("/virtual/review/mcp", "https://gw.example.com/.well-known/oauth-protected-resource/virtual/review/mcp")]
    [InlineData("/sse", "https://gw.example.com/.well-known/oauth-protected-resource")]
    public async Task Request_NoCredential_401PointsAtTheMatchingMetadata(string path, string metadataUrl)
    {
        await using var gateway = await Start();

        using var response = await gateway.Http.PostAsync(path, new StringContent(Ping, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be($"Bearer resource_metadata=\"{metadataUrl}\"");
    }

    [Fact]
    public async Task Request_ForgedToken_401InvalidTokenWithMetadata()
    {
        await using var gateway = await Start(AuthSection.Replace("  resource: https://gw.example.com\n", string.Empty, StringComparison.Ordinal).Replace("issuer: https://issuer.test/", "issuer: https://issuer.test/\n    audience: api://gateway", StringComparison.Ordinal));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(Ping, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");

        using var response = await gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        challenge.Should().StartWith($"Bearer resource_metadata=\"{gateway.BaseAddress.AbsoluteUri.TrimEnd('/')}/.well-known/oauth-protected-resource/mcp\", error=\"invalid_token\", error_description=\"");
    }

    [Fact]
    public void Challenge_ValueWithQuotesAndLineBreaks_EscapedAndStripped()
    {
        var header = new AuthenticationChallenge().Set("error_description", "bad \"quote\"\r\n").ToString();

        header.Should().Be("Bearer error_description=\"bad \\\"quote\\\"\"");
    }

    private const string Ping = """{"jsonrpc":"2.0","id":1,"method":"ping"}""";
}
