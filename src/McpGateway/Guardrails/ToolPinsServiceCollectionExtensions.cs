using McpGateway.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Guardrails;

internal static class ToolPinsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ToolPins"/> (loaded by its hosted service, so register it after the registry store's start-up)
    /// over the registry's database, or in memory when the registry store is not the EF one.
    /// </summary>
    public static IServiceCollection AddToolPins(this IServiceCollection services)
    {
        services.AddSingleton<IToolPinStore>(sp => sp.GetRequiredService<IRegistryStore>() is EfRegistryStore registry ? new EfToolPinStore(registry) : new InMemoryToolPinStore());
        services.AddSingleton<ToolPins>();
        services.AddHostedService(sp => sp.GetRequiredService<ToolPins>());
        return services;
    }
}
