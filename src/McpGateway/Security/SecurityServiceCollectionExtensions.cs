using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpGateway.Security;

public static class SecurityServiceCollectionExtensions
{
    private const string PrincipalCredentialsPurpose = "McpGateway.Storage.PrincipalCredentials.v1";

    /// <summary>
    /// The authentication pipeline and API keys. Other methods (JWT, certificates) register their own
    /// <see cref="IRequestAuthenticator"/> and <see cref="IAuthenticationChallengeContributor"/>s; authenticators run in registration order.
    /// </summary>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<IApiKeyStore>(sp => new EfApiKeyStore((EfRegistryStore)sp.GetRequiredService<IRegistryStore>()));
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<IRequestAuthenticator, ApiKeyAuthenticator>();
        services.AddSingleton<IRequestAuthenticator, CertificateAuthenticator>();
        services.AddSingleton<AccessPolicies>();
        services.AddSingleton<IPrincipalCredentialStore>(sp => new EfPrincipalCredentialStore((EfRegistryStore)sp.GetRequiredService<IRegistryStore>(),
            () => sp.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector(PrincipalCredentialsPurpose)));
        services.AddSingleton<PrincipalCredentials>();
        return services;
    }

    /// <summary>Authenticates requests to the MCP endpoints and admin surfaces; call before the endpoints run.</summary>
    public static IApplicationBuilder UseGatewayAuthentication(this IApplicationBuilder app)
    {
        var config = app.ApplicationServices.GetRequiredService<IGatewayConfigProvider>().Current;
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("McpGateway.Security");
        if (config.Auth.IsConfigured)
        {
            GatewayLog.AuthenticationConfigured(logger, string.Join(", ", config.Auth.ConfiguredMethods), config.Auth.RequiresCredential);
        }

        if (config.Authorization.Enabled)
        {
            GatewayLog.AuthorizationConfigured(logger, config.Authorization.Policies.Count);
        }
        else if (config.Auth.IsConfigured)
        {
            GatewayLog.AuthorizationOff(logger);
        }

        return app.UseMiddleware<AuthenticationMiddleware>();
    }
}
