using McpGateway.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpGateway.Admin;

internal static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// The services the admin API uses. TryAdd: the storage wiring may register them (and the real store) too; a store
    /// registered anywhere wins over the in-memory fallback.
    /// </summary>
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.TryAddSingleton<IRegistryStore, MemoryRegistryStore>();
        services.TryAddSingleton<RegistryService>();
        services.TryAddSingleton<ServerToolsService>();
        services.TryAddSingleton<AdminAccess>();
        return services;
    }
}
