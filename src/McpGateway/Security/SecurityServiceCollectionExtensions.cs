using McpGateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// The authentication pipeline and API keys. Other methods (JWT, certificates) register their own
    /// <see cref="IRequestAuthenticator"/> and <see cref="IAuthenticationChallengeContributor"/>s; authenticators run in registration order.
    /// </summary>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<IApiKeyStore>(sp => new EfApiKeyStore((EfRegistryStore)sp.GetRequiredService<IRegistryStore>()));
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<IRequestAuthenticator, ApiKeyAuthenticator>();
        return services;
    }

    /// <summary>Authenticates requests to the MCP endpoints and admin surfaces; call before the endpoints run.</summary>
    public static IApplicationBuilder UseGatewayAuthentication(this IApplicationBuilder app) => app.UseMiddleware<AuthenticationMiddleware>();
}
