using System.Collections.Concurrent;
using System.Security.Cryptography;
using McpGateway.Aggregation;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Sessions;

/// <summary>Every live downstream session by id; expires idle ones and closes all of them (and their upstreams) at shutdown.</summary>
internal sealed class SessionStore(UpstreamConnector connector, SharedLinks sharedLinks, LastKnownLists lastKnown, IGatewayConfigProvider config, ILoggerFactory loggerFactory, TimeProvider time, GatewayMetrics metrics) : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DownstreamSession> _sessions = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Sessions");
    private readonly CancellationTokenSource _stopping = new();
    private Task? _sweeper;
    private int _stopped;

    public int Count => _sessions.Count;

    public DownstreamSession Create(SessionTarget target, bool legacySse)
    {
        var id = NewSessionId();
        var session = new DownstreamSession(id, target, config.Current.Gateway, legacySse, connector, sharedLinks, lastKnown, _logger, time, metrics);
        _sessions[id] = session;
        metrics.SessionOpened(TargetLabel(target));
        GatewayLog.SessionCreated(_logger, id, target.DisplayName, legacySse ? "sse" : "streamable-http");
        return session;
    }

    /// <summary>The live session with this id on this route (an id from another endpoint is not found).</summary>
    public DownstreamSession? Find(string id, string routeKey) =>
        _sessions.TryGetValue(id, out var session) && session.Target.RouteKey == routeKey && !session.IsDisposed ? session : null;

    public async Task CloseAsync(DownstreamSession session, string reason)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, DownstreamSession>(session.Id, session)))
        {
            metrics.SessionClosed(TargetLabel(session.Target));
            await session.DisposeAsync();
            GatewayLog.SessionClosed(_logger, session.Id, session.Target.DisplayName, reason);
        }
    }

    /// <summary>The <c>target</c> label of <c>mcp_gateway_sessions_active</c>.</summary>
    private static string TargetLabel(SessionTarget target) => target switch
    {
        ViewTarget { IsDefault: true } => "default",
        ViewTarget => "virtual",
        _ => "server",
    };

    /// <summary>128 random bits, URL-safe: unguessable and valid in a header.</summary>
    private static string NewSessionId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sweeper = SweepAsync(_stopping.Token);
        config.Changed += OnConfigChanged;
        return Task.CompletedTask;
    }

    /// <summary>Sessions on views move to the new snapshot of their view and hear that their lists changed.</summary>
    private void OnConfigChanged(GatewayConfig next)
    {
        var defaultView = ViewTarget.For(next, new VirtualServerConfig { Name = ViewTarget.DefaultName }, isDefault: true);
        foreach (var (_, session) in _sessions)
        {
            if (session.Target is not ViewTarget current)
            {
                continue;
            }

            if (current.IsDefault)
            {
                session.Retarget(defaultView);
            }
            else if (next.FindVirtualServer(current.View.Name) is { } view)
            {
                session.Retarget(ViewTarget.For(next, view, isDefault: false));
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        // Often enough that a session lives at most ~1.5× its idle limit.
        var period = TimeSpan.FromTicks(Math.Clamp(config.Current.Gateway.SessionIdleTimeout.Ticks / 2, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(15).Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var idleLimit = config.Current.Gateway.SessionIdleTimeout;
                var now = time.GetUtcNow();
                foreach (var (_, session) in _sessions)
                {
                    session.TrimStreams(now);
                    if (!session.HasOpenStream && now - session.LastActivity > idleLimit)
                    {
                        await CloseAsync(session, "idle");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        config.Changed -= OnConfigChanged;
        await _stopping.CancelAsync();
        if (_sweeper is not null)
        {
            await _sweeper.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Task.WhenAll(_sessions.Values.Select(s => CloseAsync(s, "gateway stopping")));
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
