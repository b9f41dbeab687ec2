using System.Security.Claims;
using McpGateway.Configuration;
using McpGateway.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Security;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;JWT&gt;</c> access tokens (<c>auth.jwt</c>): issuer, audience (this gateway,
/// RFC 8707), lifetime with clock skew and a signature made with an allow-listed algorithm are all required.
/// Anything that is not a bearer JWT is <see cref="AuthenticationOutcome.NoCredential"/>, so API keys get their turn.
/// Reads the current config snapshot per request, so a reload changes issuer, keys or scopes without restart.
/// </summary>
internal sealed class JwtAuthenticator(IGatewayConfigProvider config, HttpClient jwksClient, TimeProvider time, ILogger<JwtAuthenticator> logger) : IRequestAuthenticator
{
    private const string BearerPrefix = "Bearer ";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private JwksKeySource? _jwks;

    public async ValueTask<AuthenticationOutcome> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var auth = config.Current.Auth;
        if (auth.Jwt is not { } options || BearerJwtOf(context.Request) is not { } token)
        {
            return AuthenticationOutcome.NoCredential;
        }

        var outcome = await ValidateAsync(context, auth, options, token, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == AuthenticationOutcomeKind.Rejected)
        {
            GatewayLog.JwtRejected(logger, outcome.Reason!);
        }

        return outcome;
    }

    /// <summary>The token when the request carries exactly one <c>Authorization: Bearer</c> value shaped like a JWS compact serialization.</summary>
    internal static string? BearerJwtOf(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header.AsSpan(BearerPrefix.Length).Trim();
        return LooksLikeJwt(token) ? token.ToString() : null;
    }

    /// <summary>Three base64url parts separated by dots; header and payload non-empty (an empty signature is still a JWT: <c>alg: none</c>, rejected later).</summary>
    internal static bool LooksLikeJwt(ReadOnlySpan<char> token)
    {
        var dots = 0;
        var partLength = 0;
        foreach (var c in token)
        {
            if (c == '.')
            {
                if (partLength == 0 || ++dots > 2)
                {
                    return false;
                }

                partLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                partLength++;
            }
            else
            {
                return false;
            }
        }

        return dots == 2;
    }

    private async Task<AuthenticationOutcome> ValidateAsync(HttpContext context, AuthOptions auth, JwtOptions options, string token, CancellationToken cancellationToken)
    {
        JsonWebToken parsed;
        try
        {
            parsed = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return AuthenticationOutcome.Reject("malformed token");
        }

        // Checked before any key lookup: `none` and algorithms outside the allow-list never reach signature validation.
        if (!options.Algorithms.Contains(parsed.Alg, StringComparer.Ordinal))
        {
            return AuthenticationOutcome.Reject($"signing algorithm {JwksKeySource.Printable(parsed.Alg)} is not allowed");
        }

        var keys = new List<SecurityKey>(options.SigningKeys);
        if (options.JwksUrl is not null)
        {
            var kid = string.IsNullOrEmpty(parsed.Kid) ? null : parsed.Kid;
            keys.AddRange(await JwksFor(options).GetKeysAsync(kid, cancellationToken).ConfigureAwait(false));
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudiences = AudiencesFor(context, auth, options),
            ValidAlgorithms = options.Algorithms,
            IssuerSigningKeys = keys,
            ClockSkew = options.ClockSkew,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RequireAudience = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            TryAllIssuerSigningKeys = true,
            // Lifetime against the injected clock (the library's own TimeProvider hook is not public).
            LifetimeValidator = ValidateLifetime,
        };

        var result = await _handler.ValidateTokenAsync(parsed, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return AuthenticationOutcome.Reject(Describe(result.Exception));
        }

        var sub = parsed.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) && !string.IsNullOrEmpty(subject) ? subject : null;
        if (sub is null)
        {
            return AuthenticationOutcome.Reject("token has no sub claim");
        }

        var principal = new GatewayPrincipal(
            Id: $"jwt:{options.Issuer}#{sub}",
            Kind: PrincipalKind.Jwt,
            Name: FirstValue(parsed, options.Claims.Name) ?? sub,
            Roles: SpaceSeparatedValues(parsed, options.Claims.Roles),
            Tenant: FirstValue(parsed, options.Claims.Tenant),
            Scopes: [.. SpaceSeparatedValues(parsed, "scope").Concat(SpaceSeparatedValues(parsed, "scp")).Distinct(StringComparer.Ordinal)]);

        var missing = options.RequiredScopes.Where(scope => !principal.Scopes.Contains(scope, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            GatewayLog.JwtInsufficientScope(logger, string.Join(' ', missing), principal.Id);
            context.Features.Set<IInsufficientScopeFeature>(new InsufficientScopeFeature(options.RequiredScopes, missing));
            return AuthenticationOutcome.Reject($"insufficient_scope: the token lacks {string.Join(' ', missing)}");
        }

        GatewayLog.JwtAccepted(logger, principal.Id, string.Join(' ', principal.Scopes));
        return AuthenticationOutcome.Success(principal);
    }

    /// <summary>
    /// The configured audiences, plus the canonical URL of the endpoint called (what RFC 9728 metadata tells clients to
    /// ask for) when <c>auth.resource</c> is set. Never derived from the Host header: a caller could name another
    /// resource server's host and replay a token issued for it.
    /// </summary>
    private static List<string> AudiencesFor(HttpContext context, AuthOptions auth, JwtOptions options) =>
        auth.Resource is null ? [.. options.Audiences] : [.. options.Audiences, ProtectedResourceMetadata.ResourceUrl(context, auth)];

    /// <summary>exp is required; nbf optional; both with the configured skew.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("token has no exp claim");
        }

        if (notBefore is { } nbf && nbf > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("token not yet valid") { NotBefore = nbf };
        }

        if (exp < now - parameters.ClockSkew)
        {
            throw new SecurityTokenExpiredException("token expired") { Expires = exp };
        }

        return true;
    }

    /// <summary>The key source for the configured URL; replaced only when URL or refresh interval change, so a reload keeps the cache.</summary>
    private JwksKeySource JwksFor(JwtOptions options)
    {
        var current = Volatile.Read(ref _jwks);
        if (current is not null && current.Url == options.JwksUrl && current.RefreshInterval == options.JwksRefreshInterval)
        {
            return current;
        }

        var next = new JwksKeySource(options.JwksUrl!, options.JwksRefreshInterval, jwksClient, time, logger);
        return Interlocked.CompareExchange(ref _jwks, next, current) == current ? next : Volatile.Read(ref _jwks)!;
    }

    /// <summary>Claim values, one per array element, string values split on spaces (the OAuth <c>scope</c> form).</summary>
    private static List<string> SpaceSeparatedValues(JsonWebToken token, string claimType) =>
        token.Claims
            .Where(claim => string.Equals(claim.Type, claimType, StringComparison.Ordinal))
            .SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static string? FirstValue(JsonWebToken token, string claimType) =>
        token.Claims.FirstOrDefault(claim => string.Equals(claim.Type, claimType, StringComparison.Ordinal) && claim.ValueType is not (JsonClaimValueTypes.Json or JsonClaimValueTypes.JsonArray))?.Value is { Length: > 0 } value ? value : null;

    /// <summary>A reason for logs and <c>error_description</c>: what failed, never the token or key material.</summary>
    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no exp claim",
        SecurityTokenInvalidLifetimeException => "token lifetime invalid",
        SecurityTokenInvalidAudienceException => "token audience is not this gateway",
        SecurityTokenInvalidIssuerException => "token issuer not trusted",
        SecurityTokenInvalidAlgorithmException => "signing algorithm not allowed",
        SecurityTokenSignatureKeyNotFoundException => "no matching signing key",
        SecurityTokenInvalidSignatureException => "signature invalid",
        SecurityTokenMalformedException => "malformed token",
        _ => "token invalid",
    };
}
