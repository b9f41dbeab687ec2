using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Admin;

/// <summary>
/// Opens the registry store before anything serves (migrating its schema) and adds its entries to the running config.
/// A store that cannot be opened, or holds a newer schema, stops start-up with the store's message.
/// </summary>
internal sealed class RegistryStartup(IRegistryStore store, GatewayConfigComposer composer, ILoggerFactory loggerFactory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            throw new StorageUnavailableException($"cannot open the registry store ({store.Description}): {ex.Message}", ex);
        }

        RegistryContents? loaded = null;
        await composer.LoadStoredAsync(async token => loaded = await store.LoadAsync(token), cancellationToken);
        GatewayLog.RegistryLoaded(loggerFactory.CreateLogger("McpGateway.Storage"), store.Description, loaded!.Servers.Count, loaded.VirtualServers.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
