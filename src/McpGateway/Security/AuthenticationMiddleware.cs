using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpGateway.Security;

/// <summary>
/// Runs the registered <see cref="IRequestAuthenticator"/>s in order on the MCP endpoints and admin surfaces: the first
/// <c>Authenticated</c> wins and its principal goes into <see cref="IGatewayPrincipalFeature"/>; a <c>Rejected</c> is a
/// 401. With no credential the request is anonymous: refused on the data plane when <c>auth</c> requires a credential,
/// left to <see cref="Admin.AdminAccess"/> on the admin surfaces (which also accepts the admin token).
/// </summary>
internal sealed class AuthenticationMiddleware(
    RequestDelegate next,
    IEnumerable<IRequestAuthenticator> authenticators,
    IEnumerable<IAuthenticationChallengeContributor> challengeContributors,
    IGatewayConfigProvider config,
    GatewayMetrics metrics,
    ILoggerFactory loggerFactory)
{
    private readonly IRequestAuthenticator[] _authenticators = authenticators.ToArray();
    private readonly IAuthenticationChallengeContributor[] _contributors = challengeContributors.ToArray();
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Security");

    public async Task InvokeAsync(HttpContext context)
    {
        var surface = SurfaceOf(context.Request.Path);
        if (surface == Surface.None)
        {
            await next(context);
            return;
        }

        foreach (var authenticator in _authenticators)
        {
            var outcome = await authenticator.AuthenticateAsync(context, context.RequestAborted);
            if (outcome.Kind == AuthenticationOutcomeKind.Rejected)
            {
                if (context.Features.Get<IInsufficientScopeFeature>() is { } scopes)
                {
                    await RefuseScopeAsync(context, scopes);
                    return;
                }

                await RefuseAsync(context, outcome.Reason ?? "rejected", "invalid_token");
                return;
            }

            if (outcome is { Kind: AuthenticationOutcomeKind.Authenticated, Principal: { } principal })
            {
                context.Features.Set<IGatewayPrincipalFeature>(new GatewayPrincipalFeature(principal));
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    GatewayLog.Authenticated(_logger, principal.Id, principal.Kind.ToString(), context.Request.Method, context.Request.Path);
                }

                await next(context);
                return;
            }
        }

        context.Features.Set<IGatewayPrincipalFeature>(new GatewayPrincipalFeature(GatewayPrincipal.Anonymous));
        if (surface == Surface.DataPlane && config.Current.Auth.RequiresCredential)
        {
            await RefuseAsync(context, "missing_credential", error: null);
            return;
        }

        await next(context);
    }

    /// <summary>401 with a Bearer challenge; <paramref name="reason"/> comes from a fixed set and never carries the credential.</summary>
    private async Task RefuseAsync(HttpContext context, string reason, string? error)
    {
        metrics.RecordAuthFailure(reason);
        GatewayLog.AuthenticationRejected(_logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", reason);
        var description = error is null ? "this endpoint needs a credential: Authorization: Bearer <API key or token>, or X-API-Key" : reason.Replace('_', ' ');
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = AuthenticationChallenge.For(context, _contributors, error, error is null ? null : description);
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("error", error ?? "unauthorized");
        writer.WriteString("error_description", description);
        writer.WriteEndObject();
    }

    /// <summary>403 for a valid token that lacks the configured scopes (MCP authorization: step-up via <c>scope</c>).</summary>
    private async Task RefuseScopeAsync(HttpContext context, IInsufficientScopeFeature scopes)
    {
        metrics.RecordAuthFailure("insufficient_scope");
        GatewayLog.AuthenticationRejected(_logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", "insufficient_scope");
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers.WWWAuthenticate = BearerChallenge.InsufficientScope(context, config.Current.Auth, scopes.RequiredScopes);
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("error", "insufficient_scope");
        writer.WriteString("error_description", "the access token does not grant: " + string.Join(' ', scopes.MissingScopes));
        writer.WriteEndObject();
    }

    private enum Surface
    {
        None,
        DataPlane,
        Admin,
    }

    /// <summary>Which surface a path belongs to; health, metrics and the UI's static files are left alone.</summary>
    private static Surface SurfaceOf(PathString path)
    {
        if (path.StartsWithSegments("/api/v1") || path.StartsWithSegments("/deploy") || path.StartsWithSegments("/admin"))
        {
            return Surface.Admin;
        }

        return path.StartsWithSegments("/mcp") || path.StartsWithSegments("/sse") || path.StartsWithSegments("/message")
            || path.StartsWithSegments("/servers") || path.StartsWithSegments("/virtual")
            ? Surface.DataPlane
            : Surface.None;
    }
}
