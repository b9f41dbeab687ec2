using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Security;

internal static class JwtServiceCollectionExtensions
{
    /// <summary>
    /// Registers the JWT authenticator (a no-op until <c>auth.jwt</c> is configured, so a reload can turn it on). Its own
    /// HttpClient for JWKS: short connect timeout, no cookies, never the client's headers.
    /// </summary>
    public static IServiceCollection AddJwtAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<JwtAuthenticator>(sp => ActivatorUtilities.CreateInstance<JwtAuthenticator>(sp, new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
        })));
        services.AddSingleton<IRequestAuthenticator>(sp => sp.GetRequiredService<JwtAuthenticator>());
        services.AddSingleton<IAuthenticationChallengeContributor, ResourceMetadataChallenge>();
        return services;
    }
}
