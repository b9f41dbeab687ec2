using McpGateway.Configuration;
using McpGateway.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Storage;

/// <summary>
/// Picks up registry changes other gateway processes made to the same database (replicas sharing PostgreSQL, or two
/// processes on one SQLite file): every interval it reads the store's revision, a single-row query, and reloads the
/// entries only when it moved. Changes this process made itself are already running and compare equal.
/// </summary>
internal sealed class RegistryPoller(IRegistryStore store, GatewayConfigComposer composer, TimeSpan interval, TimeProvider time, ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Storage");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? seen = null;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var revision = await store.GetRevisionAsync(stoppingToken);
                    if (revision == seen)
                    {
                        continue;
                    }

                    // The first reading loads too: a change may have landed between start-up's load and now. Contents
                    // equal to what runs change nothing.
                    seen = revision;
                    if (await composer.LoadStoredAsync(store.LoadAsync, stoppingToken))
                    {
                        GatewayLog.RegistryChangedElsewhere(_logger, store.Description, revision);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database may be restarting; the next tick tries again and the running config stays.
                    GatewayLog.RegistryPollFailed(_logger, store.Description, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
