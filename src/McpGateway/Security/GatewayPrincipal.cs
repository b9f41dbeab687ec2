using Microsoft.AspNetCore.Http;

namespace McpGateway.Security;

/// <summary>How a principal proved who it is.</summary>
public enum PrincipalKind
{
    /// <summary>No credential: allowed only where the gateway runs without authentication (loopback by default).</summary>
    Anonymous,

    /// <summary>The admin token (<c>gateway.adminToken</c>).</summary>
    AdminToken,

    /// <summary>An API key created through the admin API or CLI.</summary>
    ApiKey,

    /// <summary>A JWT access token issued by a trusted authorization server.</summary>
    Jwt,

    /// <summary>A TLS client certificate.</summary>
    Certificate,
}

/// <summary>
/// Who is calling: the result of authentication, read by authorization, session binding, audit and rate limits.
/// Immutable; one per request (stored in <see cref="HttpContext.Features"/>).
/// </summary>
/// <param name="Id">Stable and unique across kinds, e.g. <c>apikey:7f3a…</c>, <c>jwt:{issuer}#{sub}</c>; binds sessions.</param>
/// <param name="Name">For logs and audit: the key's owner, the token's subject or name claim.</param>
/// <param name="Roles">Role names (e.g. <c>admin</c>, <c>admin-readonly</c>, team roles) mapped from the credential.</param>
/// <param name="Tenant">The one tenant the principal belongs to; null for none.</param>
/// <param name="Scopes">OAuth scopes granted (JWT <c>scope</c>/<c>scp</c>); empty for other kinds.</param>
public sealed record GatewayPrincipal(string Id, PrincipalKind Kind, string Name, IReadOnlyList<string> Roles, string? Tenant, IReadOnlyList<string> Scopes)
{
    public static readonly GatewayPrincipal Anonymous = new("anonymous", PrincipalKind.Anonymous, "anonymous", [], null, []);

    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}

/// <summary>The request feature holding the authenticated principal.</summary>
public interface IGatewayPrincipalFeature
{
    GatewayPrincipal Principal { get; }
}

/// <summary>What one authenticator concluded about one request.</summary>
public enum AuthenticationOutcomeKind
{
    /// <summary>The request carries no credential this authenticator understands; the next one may.</summary>
    NoCredential,

    Authenticated,

    /// <summary>A credential this authenticator understands, but invalid (expired, revoked, bad signature, wrong audience...): 401.</summary>
    Rejected,
}

/// <param name="Reason">Why it was rejected, for the log and <c>error_description</c>; never contains the credential.</param>
public sealed record AuthenticationOutcome(AuthenticationOutcomeKind Kind, GatewayPrincipal? Principal, string? Reason)
{
    public static readonly AuthenticationOutcome NoCredential = new(AuthenticationOutcomeKind.NoCredential, null, null);

    public static AuthenticationOutcome Success(GatewayPrincipal principal) => new(AuthenticationOutcomeKind.Authenticated, principal, null);

    public static AuthenticationOutcome Reject(string reason) => new(AuthenticationOutcomeKind.Rejected, null, reason);
}

/// <summary>One way of proving identity (API key, JWT, certificate). Authenticators run in registration order.</summary>
public interface IRequestAuthenticator
{
    ValueTask<AuthenticationOutcome> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken);
}
