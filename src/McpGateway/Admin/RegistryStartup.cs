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
        await store.InitializeAsync(cancellationToken);
        var contents = await store.LoadAsync(cancellationToken);
        GatewayLog.RegistryLoaded(loggerFactory.CreateLogger("McpGateway.Storage"), store.Description, contents.Servers.Count, contents.VirtualServers.Count);
        if (contents.Servers.Count > 0 || contents.VirtualServers.Count > 0)
        {
            await composer.LoadStoredAsync(contents, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
