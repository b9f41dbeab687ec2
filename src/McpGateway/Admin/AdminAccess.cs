using System.Net;
using System.Security.Cryptography;
using System.Text;
using McpGateway.Configuration;
using McpGateway.Security;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Admin;

/// <summary>The verdict on one admin request.</summary>
public enum AdminAccessVerdict
{
    Allowed,

    /// <summary>A token is required and the request has none or a wrong one: 401 with <c>WWW-Authenticate: Bearer</c>.</summary>
    Unauthorized,

    /// <summary>No token is set and the request does not come from loopback: 403.</summary>
    LoopbackOnly,

    /// <summary>An authenticated principal (API key, JWT) without the <c>admin</c> role (or <c>admin-readonly</c> for a read): 403.</summary>
    Forbidden,
}

/// <summary>
/// Who may use the admin surfaces (<c>/api/v1</c>, <c>/deploy</c>, <c>/admin/mcp</c>): holders of the admin token
/// (<c>Authorization: Bearer ...</c>), or, when no token is set, loopback clients only. The token is read from the
/// running snapshot, so a reload that sets or rotates it applies to the next request.
/// </summary>
internal sealed class AdminAccess(IGatewayConfigProvider config)
{
    public const string TokenVariable = "MCP_GATEWAY_ADMIN_TOKEN";

    /// <summary>The admin token in force: <c>gateway.adminToken</c>, else <see cref="TokenVariable"/>; null for none.</summary>
    public string? Token => config.Current.Gateway.AdminToken is { Length: > 0 } token
        ? token
        : Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;

    public AdminAccessVerdict Check(HttpContext context)
    {
        // A principal from the authentication pipeline (Security/AuthenticationMiddleware) is judged by its roles.
        if (context.Features.Get<IGatewayPrincipalFeature>()?.Principal is { Kind: not PrincipalKind.Anonymous } principal)
        {
            // Everyone manages their own upstream credentials; the endpoints act on the caller's principal only.
            if (IsSelfService(context))
            {
                return AdminAccessVerdict.Allowed;
            }

            return principal.IsInRole(AdminRole) || (principal.IsInRole(ReadOnlyRole) && IsRead(context))
                ? AdminAccessVerdict.Allowed
                : AdminAccessVerdict.Forbidden;
        }

        if (Token is not { } token)
        {
            if (config.Current.Auth.RequiresCredential)
            {
                // Authentication is configured: loopback is no longer proof enough.
                return AdminAccessVerdict.Unauthorized;
            }

            var remote = context.Connection.RemoteIpAddress;
            return remote is null || IPAddress.IsLoopback(remote) ? AdminAccessVerdict.Allowed : AdminAccessVerdict.LoopbackOnly;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return AdminAccessVerdict.Unauthorized;
        }

        // Fixed-time comparison of hashes: neither the token's content nor its length leaks through timing.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header.AsSpan(Scheme.Length).Trim().ToString()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        if (!CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return AdminAccessVerdict.Unauthorized;
        }

        // From here on the request runs as the admin token's principal (audit records name it).
        context.Features.Set<IGatewayPrincipalFeature>(new GatewayPrincipalFeature(AdminTokenPrincipal));
        return AdminAccessVerdict.Allowed;
    }

    /// <summary>Who a request holding the admin token is.</summary>
    public static readonly GatewayPrincipal AdminTokenPrincipal = new("admin-token", PrincipalKind.AdminToken, "admin-token", [AdminRole], null, []);

    /// <summary>The role that may do everything on the admin surfaces.</summary>
    public const string AdminRole = "admin";

    /// <summary>The role that may read the REST admin API (GET/HEAD on <c>/api/v1</c>).</summary>
    public const string ReadOnlyRole = "admin-readonly";

    private static bool IsSelfService(HttpContext context) => context.Request.Path.StartsWithSegments(AdminApiEndpoints.Prefix + CredentialEndpoints.Path);

    private static bool IsRead(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) && context.Request.Path.StartsWithSegments("/api/v1");

    /// <summary>Why a request was refused, for the problem detail.</summary>
    public static string Explain(AdminAccessVerdict verdict) => verdict switch
    {
        AdminAccessVerdict.Unauthorized => "the admin API needs `Authorization: Bearer <admin token>` (gateway.adminToken or MCP_GATEWAY_ADMIN_TOKEN)",
        AdminAccessVerdict.Forbidden => "the credential is valid but lacks the `admin` role (or `admin-readonly`, which may only read /api/v1)",
        AdminAccessVerdict.LoopbackOnly => "no admin token is set, so the admin API only answers clients on this machine (loopback); set gateway.adminToken or MCP_GATEWAY_ADMIN_TOKEN to use it remotely",
        _ => string.Empty,
    };
}
