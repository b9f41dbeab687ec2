using System.Net;
using McpGateway.Tests.TestSupport;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Tests.Security;

/// <summary>
/// The JWT rows of the attack matrix end to end: a real gateway with <c>auth.jwt</c> whose keys come from a JWKS served
/// on loopback, and MCP requests carrying tokens minted here.
/// </summary>
public sealed class JwtGatewayTests : IAsyncLifetime
{
    private const string Issuer = "https://issuer.test/";
    private const string Resource = "https://gw.example.com";

    private readonly TestSigningKey _key = TestSigningKey.Rsa("rsa-1");
    private readonly TestSigningKey _stranger = TestSigningKey.Rsa("rsa-1");
    private JwksServer _jwks = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _jwks = await JwksServer.StartAsync(_key);

    public async ValueTask DisposeAsync() => await _jwks.DisposeAsync();

    private Task<GatewayHarness> StartAsync(string extraJwt = "") => GatewayHarness.StartAsync($$"""
        auth:
          resource: {{Resource}}
          jwt:
            issuer: {{Issuer}}
            jwksUrl: {{_jwks.Url}}
            claims: { tenant: tid }
        {{extraJwt}}
        mcpServers:
        {{GatewayHarness.DemoServer("demo")}}
        """);

    private static TokenRequest Token(string audience = Resource, string issuer = Issuer, string subject = "alice", TimeSpan? expiresIn = null, string scope = "mcp:tools")
    {
        var now = DateTimeOffset.UtcNow;
        return new TokenRequest(issuer, audience, now.AddMinutes(-5), now + (expiresIn ?? TimeSpan.FromHours(1)), subject)
        {
            Claims = new Dictionary<string, object> { ["tid"] = "acme", ["scope"] = scope },
        };
    }

    private static McpHttpTestClient Client(GatewayHarness gateway, string? token) => McpCalls.Client(gateway, "mcp", token);

    private static Task<HttpExchange> InitializeAsync(McpHttpTestClient client) => McpCalls.TryInitializeAsync(client);

    [Fact]
    public async Task ValidToken_ListsAndCallsTools()
    {
        await using var gateway = await StartAsync();
        var client = Client(gateway, _key.Mint(Token()));

        await client.InitializeAsync();
        var names = await McpCalls.ToolNamesAsync(client);
        var echoed = await client.CallAsync("tools/call", McpCalls.Call("demo__echo", new System.Text.Json.Nodes.JsonObject { ["message"] = "hi" }));

        names.Should().Contain("demo__echo");
        McpCalls.Text(echoed).Should().Contain("hi");
    }

    public static TheoryData<string> RejectedTokens => ["expired", "wrong-audience", "wrong-issuer", "bad-signature", "alg-none", "garbage"];

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task InvalidToken_401InvalidTokenWithResourceMetadata(string kind)
    {
        await using var gateway = await StartAsync();
        var token = kind switch
        {
            "expired" => _key.Mint(Token(expiresIn: TimeSpan.FromMinutes(-10))),
            "wrong-audience" => _key.Mint(Token(audience: "https://other.example.com")),
            "wrong-issuer" => _key.Mint(Token(issuer: "https://evil.test/")),
            "bad-signature" => _stranger.Mint(Token()),
            "alg-none" => Unsigned(Token()),
            _ => "eyJub3QiOiJhIGp3dCJ9.e30.x",
        };

        var answer = await InitializeAsync(Client(gateway, token));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized, kind);
        var challenge = answer.Headers.WwwAuthenticate.ToString();
        challenge.Should().Contain($"resource_metadata=\"{Resource}/.well-known/oauth-protected-resource/mcp\"").And.Contain("error=\"invalid_token\"");
    }

    [Fact]
    public async Task NoToken_401WithResourceMetadataAndNoErrorCode()
    {
        await using var gateway = await StartAsync();

        var answer = await InitializeAsync(Client(gateway, null));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
        answer.Headers.WwwAuthenticate.ToString().Should().Be($"Bearer resource_metadata=\"{Resource}/.well-known/oauth-protected-resource/mcp\"");
    }

    [Fact]
    public async Task TokenWithoutRequiredScope_403InsufficientScope()
    {
        await using var gateway = await StartAsync("    requiredScopes: [mcp:tools, mcp:admin]");

        var answer = await InitializeAsync(Client(gateway, _key.Mint(Token(scope: "mcp:tools"))));

        answer.Status.Should().Be(HttpStatusCode.Forbidden);
        var challenge = answer.Headers.WwwAuthenticate.ToString();
        challenge.Should().Contain("error=\"insufficient_scope\"").And.Contain("scope=\"mcp:tools mcp:admin\"").And.Contain("resource_metadata=");
        answer.Body.Should().Contain("mcp:admin");
    }

    [Fact]
    public async Task Session_PresentedWithAnotherSubjectsToken_404()
    {
        await using var gateway = await StartAsync();
        var alice = Client(gateway, _key.Mint(Token(subject: "alice")));
        var mallory = Client(gateway, _key.Mint(Token(subject: "mallory")));
        await alice.InitializeAsync();
        mallory.SessionId = alice.SessionId;

        var hijack = await mallory.PostAsync(mallory.Request("tools/list"));

        hijack.Status.Should().Be(HttpStatusCode.NotFound);
    }

    /// <summary>An <c>alg: none</c> token carrying otherwise valid claims.</summary>
    private static string Unsigned(TokenRequest request)
    {
        var signed = TestSigningKey.Mint(request, new SigningCredentials(TestSigningKey.Rsa("none").Key, SecurityAlgorithms.RsaSha256));
        var payload = signed.Split('.')[1];
        return Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + payload + ".";
    }
}
