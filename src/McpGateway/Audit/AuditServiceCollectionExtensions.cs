using McpGateway.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Audit;

internal static class AuditServiceCollectionExtensions
{
    /// <summary>The audit trail: its store, the queued writer (a hosted service; register after the registry store starts) and the admin recorder.</summary>
    public static IServiceCollection AddGatewayAudit(this IServiceCollection services)
    {
        services.AddSingleton(sp => new EfAuditStore((EfRegistryStore)sp.GetRequiredService<IRegistryStore>()));
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<AdminAudit>();
        return services;
    }
}
