using McpGateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpGateway.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRegistryStore"/> (a singleton over <paramref name="options"/>). The caller runs
    /// <see cref="IRegistryStore.InitializeAsync"/> once before the first load or save.
    /// </summary>
    public static IServiceCollection AddRegistryStore(this IServiceCollection services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IRegistryStore>(sp => new EfRegistryStore(options, sp.GetRequiredService<ILogger<EfRegistryStore>>()));
        return services;
    }
}
