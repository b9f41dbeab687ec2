using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Configuration;

/// <summary>
/// <c>auth.jwt</c>: the gateway as an OAuth 2.1 resource server accepting JWT access tokens from one issuer.
/// Signing keys come from <see cref="JwksUrl"/> (cached, refreshed on rollover) and/or <see cref="SigningKeys"/>.
/// </summary>
public sealed record JwtOptions
{
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan DefaultJwksRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>Asymmetric algorithms accepted when <c>algorithms</c> is not written.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>The <c>iss</c> every token must carry; also the authorization server named in the metadata.</summary>
    public required string Issuer { get; init; }

    /// <summary>
    /// Accepted <c>aud</c> values (<c>audience</c>, one or a list); empty: <see cref="AuthOptions.Resource"/>. The
    /// canonical URL of the MCP endpoint being called (resource + path) is always accepted too (RFC 8707/9728).
    /// </summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>Where the issuer publishes its JSON Web Key Set (<c>jwksUrl</c>).</summary>
    public Uri? JwksUrl { get; init; }

    /// <summary>Keys written in the config (<c>keys</c>: JWKs or PEM public keys), plus the shared secret when one is set.</summary>
    public IReadOnlyList<SecurityKey> SigningKeys { get; init; } = [];

    /// <summary>Accepted <c>alg</c> values; HMAC ones only with a <c>sharedSecret</c>, <c>none</c> never.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = DefaultAlgorithms;

    /// <summary>Tolerance for <c>exp</c> and <c>nbf</c> between the issuer's clock and ours.</summary>
    public TimeSpan ClockSkew { get; init; } = DefaultClockSkew;

    /// <summary>Scopes every token must grant; a token without them gets 403 <c>insufficient_scope</c>.</summary>
    public IReadOnlyList<string> RequiredScopes { get; init; } = [];

    /// <summary>Which claims carry roles, tenant and display name (<c>claims:</c>).</summary>
    public JwtClaimNames Claims { get; init; } = new();

    /// <summary>
    /// Least time between two JWKS fetches caused by an unknown <c>kid</c> (<c>jwksRefreshInterval</c>): a key rollover
    /// is picked up without restart, while tokens with random kids cannot make the gateway hammer the issuer.
    /// </summary>
    public TimeSpan JwksRefreshInterval { get; init; } = DefaultJwksRefreshInterval;
}

/// <summary>Names of the claims mapped onto <see cref="Security.GatewayPrincipal"/>.</summary>
public sealed record JwtClaimNames
{
    /// <summary>An array of strings or one space-separated string.</summary>
    public string Roles { get; init; } = "roles";

    public string Tenant { get; init; } = "tenant";

    /// <summary>Display name for logs and audit; <c>sub</c> when the claim is absent.</summary>
    public string Name { get; init; } = "name";
}
