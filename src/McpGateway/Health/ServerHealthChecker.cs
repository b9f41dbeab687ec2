using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Health;

/// <summary>
/// Keeps one <see cref="ServerHealthMonitor"/> per enabled server whose checks are on, following config snapshots:
/// new servers get checked, removed or disabled ones dropped, changed ones restarted from "unknown".
/// </summary>
internal sealed class ServerHealthChecker : IHostedService, IServerHealthProbe, IAsyncDisposable
{
    private readonly IGatewayConfigProvider _config;
    private readonly UpstreamConnector _connector;
    private readonly ServerHealthRegistry _registry;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // Config changes apply one at a time, in order; the lock is never held across a check.
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private Dictionary<string, ServerHealthMonitor> _monitors = new(StringComparer.Ordinal);
    private bool _stopped;

    public ServerHealthChecker(IGatewayConfigProvider config, UpstreamConnector connector, ServerHealthRegistry registry, GatewayMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _config = config;
        _connector = connector;
        _registry = registry;
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger("McpGateway.Health");
        _time = time;
        registry.Attach(this);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _config.Changed += OnConfigChanged;
        await ApplyAsync(_config.Current);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _config.Changed -= OnConfigChanged;
        await _applyLock.WaitAsync(CancellationToken.None);
        try
        {
            _stopped = true;
            await Task.WhenAll(_monitors.Values.Select(monitor => StopAsync(monitor, "the gateway is stopping")));
            _monitors = new(StringComparer.Ordinal);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    public async Task<ServerHealth?> CheckNowAsync(string server, CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _monitors).TryGetValue(server, out var monitor))
        {
            return null;
        }

        try
        {
            return await monitor.CheckAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Replaced or stopped meanwhile: what the registry holds now is the answer.
            return _registry.Find(server);
        }
    }

    private void OnConfigChanged(GatewayConfig next) => _ = DetachedTask.Run(async () =>
    {
        try
        {
            await ApplyAsync(next);
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: without the log line a failure would only be missing checks.
            GatewayLog.HealthConfigApplyFailed(_logger, ex);
        }
    });

    /// <summary>Brings the monitors in line with one snapshot; unchanged servers keep their monitor and state.</summary>
    private async Task ApplyAsync(GatewayConfig config)
    {
        await _applyLock.WaitAsync(CancellationToken.None);
        try
        {
            if (_stopped)
            {
                return;
            }

            var current = _monitors;
            var next = new Dictionary<string, ServerHealthMonitor>(StringComparer.Ordinal);
            var started = new List<ServerHealthMonitor>();
            foreach (var server in config.Servers)
            {
                var options = server.Health ?? config.Gateway.Health;
                // A per-principal server has nobody to act for when the gateway checks it on its own.
                if (!server.Enabled || !options.Enabled || server.PrincipalAuth is not null)
                {
                    continue;
                }

                if (current.TryGetValue(server.Name, out var existing) && ConfigChange.SameConnection(existing.Server, existing.Gateway, server, config.Gateway) && existing.Options == options)
                {
                    next[server.Name] = existing;
                    continue;
                }

                var monitor = new ServerHealthMonitor(server, config.Gateway, options, _connector, _registry, _metrics, _logger, _time);
                next[server.Name] = monitor;
                started.Add(monitor);
            }

            var stopping = current
                .Where(pair => !next.TryGetValue(pair.Key, out var kept) || !ReferenceEquals(kept, pair.Value))
                .Select(pair => StopAsync(pair.Value, next.ContainsKey(pair.Key) ? "its configuration changed" : "no longer checked"))
                .ToList();
            await Task.WhenAll(stopping);
            Volatile.Write(ref _monitors, next);
            foreach (var monitor in started)
            {
                monitor.Start();
            }
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private async Task StopAsync(ServerHealthMonitor monitor, string reason)
    {
        await monitor.DisposeAsync();
        GatewayLog.HealthChecksStopped(_logger, monitor.Server.Name, reason);
    }
}
