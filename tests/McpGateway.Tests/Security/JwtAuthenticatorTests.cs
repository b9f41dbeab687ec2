using System.Text;
using McpGateway.Configuration;
using McpGateway.Security;
using McpGateway.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Tests.Security;

/// <summary>
/// The JWT attack matrix against <see cref="JwtAuthenticator"/> with a real JWKS served on loopback and tokens minted
/// here. Each row is one test; the authenticator runs on a real <see cref="DefaultHttpContext"/>.
/// </summary>
public sealed class JwtAuthenticatorTests : IAsyncLifetime
{
    private const string Issuer = "https://issuer.test/";
    private const string Resource = "https://gw.example.com";

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private readonly TestSigningKey _rsa = TestSigningKey.Rsa("rsa-1");
    private readonly TestSigningKey _ec = TestSigningKey.EcP256("ec-1");
    private readonly ManualTimeProvider _clock = new(Now);
    private readonly CapturingLoggerProvider _logs = new();
    private JwksServer _jwks = null!;

    public async ValueTask InitializeAsync() => _jwks = await JwksServer.StartAsync(_rsa, _ec);

    public async ValueTask DisposeAsync()
    {
        await _jwks.DisposeAsync();
        _logs.Dispose();
    }

    private JwtAuthenticator Authenticator(string extraJwt = "")
    {
        var yaml = $"""
            mcpServers: {"{"} a: {"{"} command: npx {"}"} {"}"}
            auth:
              resource: {Resource}
              jwt:
                issuer: {Issuer}
                jwksUrl: {_jwks.Url}
                claims: {"{"} tenant: tid {"}"}
            {extraJwt}
            """;
        var result = ConfigLoading.Load(yaml);
        result.Errors.Should().BeEmpty();
        var factory = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        return new JwtAuthenticator(new GatewayConfigProvider(result.Config!), new HttpClient(), _clock, factory.CreateLogger<JwtAuthenticator>());
    }

    private static TokenRequest Valid(string audience = Resource) => new(Issuer, audience, Now.AddMinutes(-5), Now.AddMinutes(55))
    {
        Claims = new Dictionary<string, object>
        {
            ["roles"] = new[] { "dev", "reviewers" },
            ["tid"] = "acme",
            ["name"] = "Alice Example",
            ["scope"] = "mcp:tools mcp:read",
        },
    };

    private static DefaultHttpContext Request(string? authorization, string path = "/mcp")
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("gw.example.com");
        context.Request.Path = path;
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context;
    }

    private static Task<AuthenticationOutcome> Run(JwtAuthenticator authenticator, HttpContext context) =>
        authenticator.AuthenticateAsync(context, TestContext.Current.CancellationToken).AsTask();

    private async Task<AuthenticationOutcome> Present(string token, string path = "/mcp", string extraJwt = "") =>
        await Run(Authenticator(extraJwt), Request("Bearer " + token, path));

    [Fact]
    public async Task Authenticate_ValidRsaToken_PrincipalWithRolesTenantAndScopes()
    {
        var outcome = await Present(_rsa.Mint(Valid()));

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, outcome.Reason);
        outcome.Principal.Should().BeEquivalentTo(new GatewayPrincipal(
            "jwt:https://issuer.test/#alice", PrincipalKind.Jwt, "Alice Example", ["dev", "reviewers"], "acme", ["mcp:tools", "mcp:read"]));
    }

    [Fact]
    public async Task Authenticate_ValidEcToken_Authenticated()
    {
        var outcome = await Present(_ec.Mint(Valid()));

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, outcome.Reason);
    }

    [Fact]
    public async Task Authenticate_RolesAsSpaceSeparatedStringAndScp_Mapped()
    {
        var request = Valid() with { Claims = new Dictionary<string, object> { ["roles"] = "admin ops", ["scp"] = new[] { "mcp:tools" } } };

        var outcome = await Present(_rsa.Mint(request));

        outcome.Principal!.Roles.Should().Equal("admin", "ops");
        outcome.Principal.Scopes.Should().Equal("mcp:tools");
        outcome.Principal.Name.Should().Be("alice", "the subject stands in when the name claim is absent");
        outcome.Principal.Tenant.Should().BeNull();
    }

    [Fact]
    public async Task Authenticate_Expired_RejectedAsExpired()
    {
        var outcome = await Present(_rsa.Mint(Valid() with { NotBefore = Now.AddHours(-2), Expires = Now.AddMinutes(-2) }));

        outcome.Should().Be(AuthenticationOutcome.Reject("token expired"));
    }

    [Fact]
    public async Task Authenticate_ExpiredWithinClockSkew_Authenticated()
    {
        var outcome = await Present(_rsa.Mint(Valid() with { NotBefore = Now.AddHours(-2), Expires = Now.AddSeconds(-30) }));

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, "30 s is within the default 60 s skew");
    }

    [Fact]
    public async Task Authenticate_NotYetValid_Rejected()
    {
        var outcome = await Present(_rsa.Mint(Valid() with { NotBefore = Now.AddMinutes(5), Expires = Now.AddHours(1) }));

        outcome.Should().Be(AuthenticationOutcome.Reject("token not yet valid"));
    }

    [Fact]
    public async Task Authenticate_WrongAudience_Rejected()
    {
        var outcome = await Present(_rsa.Mint(Valid(audience: "https://other-api.example.com")));

        outcome.Should().Be(AuthenticationOutcome.Reject("token audience is not this gateway"));
    }

    [Fact]
    public async Task Authenticate_AudienceIsTheCalledEndpoint_Authenticated()
    {
        var outcome = await Present(_rsa.Mint(Valid(audience: Resource + "/servers/a/mcp")), path: "/servers/a/mcp");

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, outcome.Reason);
    }

    [Fact]
    public async Task Authenticate_AudienceIsAnotherEndpoint_Rejected()
    {
        var outcome = await Present(_rsa.Mint(Valid(audience: Resource + "/servers/a/mcp")), path: "/virtual/b/mcp");

        outcome.Should().Be(AuthenticationOutcome.Reject("token audience is not this gateway"));
    }

    [Fact]
    public async Task Authenticate_NoResourceConfiguredAndAudienceNamesTheHostHeader_Rejected()
    {
        var result = ConfigLoading.Load($"mcpServers: {{ a: {{ command: npx }} }}\nauth: {{ jwt: {{ issuer: \"{Issuer}\", audience: api://gateway, jwksUrl: \"{_jwks.Url}\" }} }}\n");
        result.Config!.Auth.Resource.Should().BeNull();
        result.Config.Auth.Jwt!.Audiences.Should().Equal("api://gateway");
        var authenticator = new JwtAuthenticator(new GatewayConfigProvider(result.Config!), new HttpClient(), _clock,
            LoggerFactory.Create(_ => { }).CreateLogger<JwtAuthenticator>());

        var outcome = await Run(authenticator, Request("Bearer " + _rsa.Mint(Valid(audience: "https://gw.example.com/mcp"))));

        outcome.Should().Be(AuthenticationOutcome.Reject("token audience is not this gateway"), "the Host header is the caller's to choose");
        (await Run(authenticator, Request("Bearer " + _rsa.Mint(Valid(audience: "api://gateway"))))).Kind.Should().Be(AuthenticationOutcomeKind.Authenticated);
    }

    [Fact]
    public async Task Authenticate_WrongIssuer_Rejected()
    {
        var outcome = await Present(_rsa.Mint(Valid() with { Issuer = "https://evil.test/" }));

        outcome.Should().Be(AuthenticationOutcome.Reject("token issuer not trusted"));
    }

    [Fact]
    public async Task Authenticate_SignedByAnotherKeyWithTrustedKid_Rejected()
    {
        var impostor = TestSigningKey.Rsa("rsa-1");

        var outcome = await Present(impostor.Mint(Valid()));

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Rejected);
        outcome.Reason.Should().BeOneOf("signature invalid", "no matching signing key");
    }

    [Fact]
    public async Task Authenticate_TamperedPayload_Rejected()
    {
        var parts = _rsa.Mint(Valid()).Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"alice\"", "\"admin\"", StringComparison.Ordinal);

        var outcome = await Present($"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}");

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Rejected);
        outcome.Reason.Should().BeOneOf("signature invalid", "no matching signing key");
    }

    [Fact]
    public async Task Authenticate_AlgNone_RejectedBeforeAnyKeyLookup()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"iss":"{{Issuer}}","aud":"{{Resource}}","sub":"alice","nbf":{{Now.AddMinutes(-1).ToUnixTimeSeconds()}},"exp":{{Now.AddHours(1).ToUnixTimeSeconds()}}}""");

        var outcome = await Present($"{header}.{payload}.");

        outcome.Should().Be(AuthenticationOutcome.Reject("signing algorithm none is not allowed"));
        _jwks.RequestCount.Should().Be(0, "an unsigned token must not even cause a key fetch");
    }

    [Fact]
    public async Task Authenticate_HmacSignedWhenOnlyAsymmetricAllowed_Rejected()
    {
        var secret = new SymmetricSecurityKey(RandomBytes(32)) { KeyId = "rsa-1" };

        var outcome = await Present(TestSigningKey.Mint(Valid(), new SigningCredentials(secret, SecurityAlgorithms.HmacSha256)));

        outcome.Should().Be(AuthenticationOutcome.Reject("signing algorithm HS256 is not allowed"));
    }

    [Fact]
    public async Task Authenticate_HmacWithConfiguredSharedSecret_Authenticated()
    {
        const string secret = "0123456789abcdef0123456789abcdef";
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret));

        var outcome = await Present(TestSigningKey.Mint(Valid(), new SigningCredentials(key, SecurityAlgorithms.HmacSha256)), extraJwt: $"    sharedSecret: \"{secret}\"");

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, outcome.Reason);
    }

    [Fact]
    public async Task Authenticate_RsaAllowedButAlgorithmListOnlyEs256_Rejected()
    {
        var outcome = await Present(_rsa.Mint(Valid()), extraJwt: "    algorithms: [ES256]");

        outcome.Should().Be(AuthenticationOutcome.Reject("signing algorithm RS256 is not allowed"));
    }

    [Fact]
    public async Task Authenticate_MissingRequiredScope_RejectedWithInsufficientScopeFeature()
    {
        var context = Request("Bearer " + _rsa.Mint(Valid()));

        var outcome = await Run(Authenticator("    requiredScopes: [mcp:tools, mcp:admin]"), context);

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Rejected);
        outcome.Reason.Should().Be("insufficient_scope: the token lacks mcp:admin");
        var feature = context.Features.Get<IInsufficientScopeFeature>();
        feature.Should().NotBeNull();
        feature!.MissingScopes.Should().Equal("mcp:admin");
        BearerChallenge.InsufficientScope(context, new AuthOptions { Resource = new Uri(Resource) }, feature.RequiredScopes).Should().Be(
            "Bearer error=\"insufficient_scope\", scope=\"mcp:tools mcp:admin\", resource_metadata=\"https://gw.example.com/.well-known/oauth-protected-resource/mcp\", error_description=\"the access token does not grant the required scope(s)\"");
    }

    [Fact]
    public async Task Authenticate_AllRequiredScopes_Authenticated()
    {
        var outcome = await Present(_rsa.Mint(Valid()), extraJwt: "    requiredScopes: [mcp:tools]");

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, outcome.Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer mgw_7f3a9c0e1d2b4a5f")]
    [InlineData("Basic YWxpY2U6c2VjcmV0")]
    [InlineData("Bearer a.b")]
    [InlineData("Bearer a.b.c.d")]
    [InlineData("Bearer a b.c.d")]
    public async Task Authenticate_NotABearerJwt_NoCredential(string? authorization)
    {
        var outcome = await Run(Authenticator(), Request(authorization));

        outcome.Should().Be(AuthenticationOutcome.NoCredential);
    }

    [Fact]
    public async Task Authenticate_NoJwtSection_NoCredentialEvenForAJwt()
    {
        var result = ConfigLoading.Load("mcpServers: { a: { command: npx } }\n");
        var authenticator = new JwtAuthenticator(new GatewayConfigProvider(result.Config!), new HttpClient(), _clock,
            LoggerFactory.Create(_ => { }).CreateLogger<JwtAuthenticator>());

        var outcome = await Run(authenticator, Request("Bearer " + _rsa.Mint(Valid())));

        outcome.Should().Be(AuthenticationOutcome.NoCredential);
    }

    [Fact]
    public async Task Authenticate_Rejected_LogsReasonButNeverTheToken()
    {
        var token = _rsa.Mint(Valid() with { Issuer = "https://evil.test/" });

        await Present(token);

        var line = await _logs.WaitForEventAsync(5041);
        line.Message.Should().Contain("token issuer not trusted");
        _logs.Lines.Should().NotContain(l => l.Message.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authenticate_InlinePemKeyWithoutJwks_Authenticated()
    {
        var pem = ((RsaSecurityKey)_rsa.Key).Rsa.ExportSubjectPublicKeyInfoPem().Replace("\n", "\n        ", StringComparison.Ordinal);
        var yaml = $"""
            mcpServers: {"{"} a: {"{"} command: npx {"}"} {"}"}
            auth:
              resource: {Resource}
              jwt:
                issuer: {Issuer}
                keys:
                  - |
                    {pem}
            """;
        var result = ConfigLoading.Load(yaml);
        result.Errors.Should().BeEmpty();
        var authenticator = new JwtAuthenticator(new GatewayConfigProvider(result.Config!), new HttpClient(), _clock,
            LoggerFactory.Create(_ => { }).CreateLogger<JwtAuthenticator>());

        var outcome = await Run(authenticator, Request("Bearer " + _rsa.Mint(Valid())));

        outcome.Kind.Should().Be(AuthenticationOutcomeKind.Authenticated, outcome.Reason);
        _jwks.RequestCount.Should().Be(0);
    }

    private static byte[] RandomBytes(int count) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(count);
}
