using McpGateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Security;

/// <summary>
/// API keys from <c>Authorization: Bearer mgw_...</c> or <c>X-API-Key: mgw_...</c>, when <c>auth.apiKeys</c> is on.
/// A bearer token without the <c>mgw_</c> prefix is not ours (a JWT, the admin token): the next authenticator may take it.
/// </summary>
internal sealed class ApiKeyAuthenticator(ApiKeyService keys, IGatewayConfigProvider config) : IRequestAuthenticator
{
    public const string HeaderName = "X-API-Key";

    public ValueTask<AuthenticationOutcome> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!config.Current.Auth.ApiKeys)
        {
            return ValueTask.FromResult(AuthenticationOutcome.NoCredential);
        }

        var presented = context.Request.Headers[HeaderName].ToString().Trim();
        if (presented.Length == 0)
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            const string Scheme = "Bearer ";
            if (authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            {
                presented = authorization[Scheme.Length..].Trim();
            }
        }

        return presented.Length > 0 && ApiKeyService.LooksLikeKey(presented)
            ? keys.VerifyAsync(presented, cancellationToken)
            : ValueTask.FromResult(AuthenticationOutcome.NoCredential);
    }
}
