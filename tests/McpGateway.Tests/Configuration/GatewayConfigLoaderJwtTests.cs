using McpGateway.Tests.TestSupport;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Tests.Configuration;

public sealed class GatewayConfigLoaderJwtTests
{
    private const string Servers = "mcpServers: { a: { command: npx } }\n";

    [Fact]
    public void LoadText_FullJwtSection_ReadIntoJwtOptions()
    {
        var result = ConfigLoading.Load(Servers + """
            auth:
              resource: https://gw.example.com/
              jwt:
                issuer: https://login.example.com/
                jwksUrl: https://login.example.com/jwks.json
                algorithms: [RS256, es384]
                clockSkew: 30s
                requiredScopes: [mcp:tools, mcp:tools, mcp:read]
                claims: { roles: groups, tenant: tid, name: preferred_username }
                jwksRefreshInterval: 1m
            """);

        result.Errors.Should().BeEmpty();
        var auth = result.Config!.Auth;
        auth.Resource.Should().Be(new Uri("https://gw.example.com/"));
        var jwt = auth.Jwt!;
        jwt.Issuer.Should().Be("https://login.example.com/");
        jwt.Audiences.Should().Equal("https://gw.example.com");
        jwt.JwksUrl.Should().Be(new Uri("https://login.example.com/jwks.json"));
        jwt.Algorithms.Should().Equal("RS256", "ES384");
        jwt.ClockSkew.Should().Be(TimeSpan.FromSeconds(30));
        jwt.RequiredScopes.Should().Equal("mcp:tools", "mcp:read");
        jwt.Claims.Should().Be(new McpGateway.Configuration.JwtClaimNames { Roles = "groups", Tenant = "tid", Name = "preferred_username" });
        jwt.JwksRefreshInterval.Should().Be(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void LoadText_Defaults_Rs256Es256And60sSkew()
    {
        var result = ConfigLoading.Load(Servers + "auth: { jwt: { issuer: https://i/, audience: api://gw, jwksUrl: https://i/jwks } }\n");

        var jwt = result.Config!.Auth.Jwt!;
        jwt.Algorithms.Should().Equal("RS256", "ES256");
        jwt.ClockSkew.Should().Be(TimeSpan.FromSeconds(60));
        jwt.Audiences.Should().Equal("api://gw");
    }

    [Theory]
    [InlineData("auth: { resource: https://gw, jwt: { jwksUrl: https://i/jwks } }", "auth.jwt.issuer", "is required")]
    [InlineData("auth: { jwt: { issuer: https://i/, jwksUrl: https://i/jwks } }", "auth.jwt.audience", "is required")]
    [InlineData("auth: { resource: https://gw, jwt: { issuer: https://i/ } }", "auth.jwt", "names no signing keys")]
    [InlineData("auth: { resource: https://gw, jwt: { issuer: https://i/, jwksUrl: https://i/jwks, algorithms: [none] } }", "auth.jwt.algorithms[0]", "never allowed")]
    [InlineData("auth: { resource: https://gw, jwt: { issuer: https://i/, jwksUrl: https://i/jwks, algorithms: [HS256] } }", "auth.jwt.algorithms[0]", "needs `sharedSecret:`")]
    [InlineData("auth: { resource: https://gw, jwt: { issuer: https://i/, jwksUrl: http://login.example.com/jwks } }", "auth.jwt.jwksUrl", "must use https")]
    [InlineData("auth: { resource: https://gw, jwt: { issuer: https://i/, sharedSecret: short } }", "auth.jwt.sharedSecret", "shorter than 32 bytes")]
    [InlineData("auth: { resource: https://gw, jwt: { issuer: https://i/, keys: [\"-----BEGIN PRIVATE KEY-----\\nMII\\n-----END PRIVATE KEY-----\"] } }", "auth.jwt.keys[0]", "holds a private key")]
    [InlineData("auth: { resource: https://gw, jwt: { issuer: https://i/, keys: [{ kty: oct, k: AAAA }] } }", "auth.jwt.keys[0]", "RSA or EC public key")]
    [InlineData("auth: { resource: gw.example.com, jwt: { issuer: https://i/, jwksUrl: https://i/jwks } }", "auth.resource", "absolute https URL")]
    public void LoadText_BadJwtSection_OneErrorNamingTheKey(string section, string path, string message)
    {
        var error = ConfigLoading.SingleError(ConfigLoading.Load(Servers + section + "\n"));

        error.Key.Should().Be(path);
        error.Message.Should().Contain(message);
    }

    [Fact]
    public void LoadText_SharedSecret_AddsHs256AndASymmetricKey()
    {
        var result = ConfigLoading.Load(Servers + "auth: { resource: https://gw, jwt: { issuer: https://i/, sharedSecret: \"${SECRET}\" } }\n", ("SECRET", new string('s', 32)));

        var jwt = result.Config!.Auth.Jwt!;
        jwt.Algorithms.Should().Equal("RS256", "ES256", "HS256");
        jwt.SigningKeys.Should().ContainSingle().Which.Should().BeOfType<SymmetricSecurityKey>();
    }

    [Fact]
    public void LoadText_UnknownAuthKey_Warning()
    {
        var result = ConfigLoading.Load(Servers + "auth: { resource: https://gw, jwt: { issuer: https://i/, jwksUrl: https://i/jwks, audiance: x } }\n");

        result.Warnings.Should().ContainSingle(w => w.Key == "auth.jwt.audiance");
    }
}
