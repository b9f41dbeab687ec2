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
internal sealed class SessionStore(UpstreamConnector connector, SharedLinks sharedLinks, LastKnownLists lastKnown, IGatewayConfigProvider config, ILoggerFactory loggerFactory, TimeProvider time, GatewayMetrics metrics, Guardrails.ToolPins pins, Security.PrincipalCredentials credentials) : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DownstreamSession> _sessions = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Sessions");
    private readonly CancellationTokenSource _stopping = new();
    private Task? _sweeper;
    private int _stopped;

    /// <summary>The snapshot the sessions currently follow; a change is measured against it.</summary>
    private GatewayConfig? _applied;

    /// <summary>Sessions and links a reload is closing; shutdown waits for them.</summary>
    private Task _reloadClosing = Task.CompletedTask;

    public int Count => _sessions.Count;

    /// <param name="principalId">Who creates it (<see cref="Security.GatewayPrincipal.Id"/>); the session is bound to it.</param>
    public DownstreamSession Create(SessionTarget target, bool legacySse, string principalId)
    {
        var id = NewSessionId();
        var session = new DownstreamSession(id, target, config.Current.Gateway, legacySse, connector, sharedLinks, lastKnown, _logger, time, metrics, pins) { PrincipalId = principalId };
        _sessions[id] = session;
        metrics.SessionOpened(TargetLabel(target));
        GatewayLog.SessionCreated(_logger, id, target.DisplayName, legacySse ? "sse" : "streamable-http");
        return session;
    }

    /// <summary>
    /// The live session with this id on this route (an id from another endpoint is not found), created by
    /// <paramref name="principalId"/>: another principal presenting it is answered like an unknown session, and logged.
    /// </summary>
    public DownstreamSession? Find(string id, string routeKey, string principalId)
    {
        if (!_sessions.TryGetValue(id, out var session) || session.Target.RouteKey != routeKey || session.IsDisposed)
        {
            return null;
        }

        if (!string.Equals(session.PrincipalId, principalId, StringComparison.Ordinal))
        {
            GatewayLog.SessionPrincipalMismatch(_logger, id, principalId);
            return null;
        }

        return session;
    }

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
        _applied = config.Current;
        config.Changed += OnConfigChanged;
        pins.Released += OnToolsReleased;
        credentials.Changed += OnCredentialChangedAsync;
        return Task.CompletedTask;
    }

    /// <summary>A principal stored, replaced or deleted its credential for a server: its open links to it reconnect on next use.</summary>
    private async Task OnCredentialChangedAsync(string server, string principalId)
    {
        await sharedLinks.ForgetAsync(server, principalId);
        await Task.WhenAll(_sessions.Values.Where(s => s.PrincipalId == principalId).Select(s => s.DropLinksAsync([server])));
    }

    /// <summary>An admin approved (or forgot) a tool pin: sessions that reach the server may list it again.</summary>
    private void OnToolsReleased(string server)
    {
        foreach (var (_, session) in _sessions)
        {
            session.ToolsReleased(server);
        }
    }

    /// <summary>
    /// Applies a new snapshot to live sessions. Sessions on a server that was removed, disabled or reconnects with new
    /// settings are closed (the client's next request gets 404 and it initializes again), and so are sessions on a view
    /// that no longer exists. View sessions move to their view's new snapshot; those whose catalog changed drop their
    /// links to removed or reconnecting members and hear <c>list_changed</c>. Everything else is left alone.
    /// </summary>
    /// <remarks>Runs inside <see cref="GatewayConfigProvider.Update"/>, which serializes reloads.</remarks>
    private void OnConfigChanged(GatewayConfig next)
    {
        var change = ConfigChange.Between(_applied ?? next, next);
        _applied = next;
        string[] replaced = [.. change.RemovedServers, .. change.ReconnectedServers];
        var closing = new List<Task>();
        var defaultView = ViewTarget.For(next, new VirtualServerConfig { Name = ViewTarget.DefaultName }, isDefault: true);
        foreach (var (_, session) in _sessions)
        {
            switch (session.Target)
            {
                case ServerTarget server when replaced.Contains(server.Server.Name, StringComparer.Ordinal):
                    var reason = change.RemovedServers.Contains(server.Server.Name, StringComparer.Ordinal)
                        ? "server removed or disabled by a config reload"
                        : "server connection settings changed by a config reload";
                    closing.Add(CloseAfterReloadAsync(session, reason));
                    break;
                case ViewTarget { IsDefault: true } view:
                    closing.Add(MoveAsync(session, defaultView, change.ChangedViews.Contains(view.DisplayName, StringComparer.Ordinal), replaced));
                    break;
                case ViewTarget view when next.FindVirtualServer(view.View.Name) is { } renewed:
                    closing.Add(MoveAsync(session, ViewTarget.For(next, renewed, isDefault: false), change.ChangedViews.Contains(view.DisplayName, StringComparer.Ordinal), replaced));
                    break;
                case ViewTarget:
                    closing.Add(CloseAfterReloadAsync(session, "virtual server removed by a config reload"));
                    break;
            }
        }

        // After the sessions: a session's own close must still see which of its links are shared.
        _reloadClosing = Task.WhenAll([_reloadClosing, Task.WhenAll(closing).ContinueWith(_ => sharedLinks.ForgetAsync(replaced), TaskScheduler.Default).Unwrap()]);
    }

    private static async Task MoveAsync(DownstreamSession session, ViewTarget target, bool catalogChanged, string[] replaced)
    {
        if (catalogChanged)
        {
            // Dropped before the client hears list_changed, so its next listing reaches the new upstreams.
            var dropping = session.DropLinksAsync(replaced);
            session.Retarget(target);
            await dropping;
        }
        else
        {
            session.Retarget(target, catalogChanged: false);
        }
    }

    private async Task CloseAfterReloadAsync(DownstreamSession session, string reason)
    {
        try
        {
            await CloseAsync(session, reason);
        }
        catch (Exception ex)
        {
            GatewayLog.ConfigReloadCloseFailed(_logger, session.Id, ex);
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
        credentials.Changed -= OnCredentialChangedAsync;
        await _stopping.CancelAsync();
        if (_sweeper is not null)
        {
            await _sweeper.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _reloadClosing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(_sessions.Values.Select(s => CloseAsync(s, "gateway stopping")));
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
