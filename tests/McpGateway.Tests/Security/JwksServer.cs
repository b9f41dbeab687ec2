using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Tests.Security;

/// <summary>An issuer's key material: an RSA or EC key pair with a kid, able to mint tokens and to publish its public JWK.</summary>
public sealed class TestSigningKey
{
    private TestSigningKey(string kid, AsymmetricSecurityKey key, string algorithm, JsonObject publicJwk)
    {
        Kid = kid;
        Key = key;
        Algorithm = algorithm;
        PublicJwk = publicJwk;
    }

    public string Kid { get; }

    public AsymmetricSecurityKey Key { get; }

    public string Algorithm { get; }

    public JsonObject PublicJwk { get; }

    public static TestSigningKey Rsa(string kid)
    {
        var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        return new TestSigningKey(kid, new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256, new JsonObject
        {
            ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["alg"] = "RS256",
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        });
    }

    public static TestSigningKey EcP256(string kid)
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdsa.ExportParameters(false);
        return new TestSigningKey(kid, new ECDsaSecurityKey(ecdsa) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256, new JsonObject
        {
            ["kty"] = "EC", ["kid"] = kid, ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        });
    }

    /// <summary>A signed token; <paramref name="claims"/> adds to or replaces the defaults (sub, scope).</summary>
    public string Mint(TokenRequest request) => Mint(request, new SigningCredentials(Key, Algorithm));

    public static string Mint(TokenRequest request, SigningCredentials credentials)
    {
        var claims = new Dictionary<string, object> { ["sub"] = request.Subject };
        foreach (var (name, value) in request.Claims)
        {
            claims[name] = value;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = request.Issuer,
            Audience = request.Audience,
            IssuedAt = request.NotBefore.UtcDateTime,
            NotBefore = request.NotBefore.UtcDateTime,
            Expires = request.Expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = credentials,
        });
    }
}

/// <summary>What a test token says.</summary>
public sealed record TokenRequest(string Issuer, string Audience, DateTimeOffset NotBefore, DateTimeOffset Expires, string Subject = "alice")
{
    public IReadOnlyDictionary<string, object> Claims { get; init; } = new Dictionary<string, object>();
}

/// <summary>
/// An issuer's JWKS endpoint on loopback (Kestrel, port 0): serves whatever key set the test publishes, with a
/// <c>Cache-Control</c> of the test's choosing, and counts requests.
/// </summary>
public sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile JsonObject _document = new() { ["keys"] = new JsonArray() };
    private int _requests;

    private JwksServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Sent with every answer; null sends none.</summary>
    public string? CacheControl { get; set; } = "max-age=3600";

    public static async Task<JwksServer> StartAsync(params TestSigningKey[] keys)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new JwksServer(app);
        app.MapGet("/jwks.json", (HttpContext context) =>
        {
            Interlocked.Increment(ref server._requests);
            if (server.CacheControl is { } cacheControl)
            {
                context.Response.Headers.CacheControl = cacheControl;
            }

            return Results.Text(server._document.ToJsonString(), "application/json", Encoding.UTF8);
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        server.Url = new Uri(address.TrimEnd('/') + "/jwks.json");
        server.Publish(keys);
        return server;
    }

    /// <summary>Replaces the published key set (a rollover).</summary>
    public void Publish(params TestSigningKey[] keys) =>
        _document = new JsonObject { ["keys"] = new JsonArray([.. keys.Select(key => (JsonNode?)key.PublicJwk.DeepClone())]) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
