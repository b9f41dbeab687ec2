using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Upstreams;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Health;

/// <summary>
/// Checks one server: an MCP <c>ping</c> every interval, over a link of its own.
/// </summary>
/// <remarks>
/// A dedicated link rather than the shared one in <c>SharedLinks</c>: the check must see the server as a new client
/// would (it connects, and restarts a crashed process with the same backoff), a hung check must not hold up clients'
/// requests, and its lifetime follows the server's config here (a changed server gets a fresh link). The cost: one
/// extra child process per checked stdio server, and one extra upstream session per checked HTTP server.
/// </remarks>
internal sealed class ServerHealthMonitor : IUpstreamLinkOwner, IAsyncDisposable
{
    private static readonly ClientHello HealthHello = new(
        new JsonObject
        {
            ["protocolVersion"] = ProtocolVersions.LatestStateful,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "mcp-gateway-health", ["version"] = GatewayVersion.Current },
        },
        PreferModern: false);

    private readonly ServerHealthRegistry _registry;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly UpstreamLink _link;
    private readonly UpstreamConnector _connector;

    // One probe link per endpoint of a multi-endpoint server that sat out, made when first needed.
    private readonly Dictionary<int, UpstreamLink> _endpointProbes = [];
    private readonly SemaphoreSlim _checkLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private ServerHealth _current;
    private Task _loop = Task.CompletedTask;

    public ServerHealthMonitor(ServerConfig server, GatewayOptions gateway, HealthCheckOptions options, UpstreamConnector connector,
        ServerHealthRegistry registry, GatewayMetrics metrics, ILogger logger, TimeProvider time)
    {
        Server = server;
        Gateway = gateway;
        Options = options;
        _registry = registry;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _current = ServerHealth.NotChecked(server.Name);
        _link = new UpstreamLink(server, gateway, HealthHello, connector, this, logger, time, metrics);
        _connector = connector;
    }

    public ServerConfig Server { get; }

    /// <summary>The gateway-wide settings the monitor's link was built with (effective timeouts).</summary>
    public GatewayOptions Gateway { get; }

    public HealthCheckOptions Options { get; }

    public ServerHealth Current => Volatile.Read(ref _current);

    /// <summary>Publishes "unknown" and starts the periodic checks; the first runs at once.</summary>
    public void Start()
    {
        _registry.Record(this, _current, claim: true);
        GatewayLog.HealthChecksStarted(_logger, Server.Name, Options.Interval.TotalMilliseconds, Options.Timeout.TotalMilliseconds);
        _loop = DetachedTask.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>One check now, after any check already running; returns the resulting snapshot.</summary>
    public async Task<ServerHealth> CheckAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _checkLock.WaitAsync(linked.Token);
        try
        {
            var (latency, error) = await PingAsync(_link, linked.Token);
            await ProbeEndpointsOutAsync(linked.Token);
            return Apply(latency, error);
        }
        finally
        {
            _checkLock.Release();
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await CheckAsync(stopping);
                await Task.Delay(Options.Interval, _time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The ping's round trip, or the reason there was no good answer. Connecting counts against the timeout, not the latency.</summary>
    /// <summary>
    /// Active health for a server with several <c>urls</c>: each endpoint that sits out after a failure is pinged on its
    /// own; one that answers is back in use at once instead of after its cool-off.
    /// </summary>
    private async Task ProbeEndpointsOutAsync(CancellationToken cancellationToken)
    {
        if (_connector.Traffic?.For(Server).Balancer is not { } balancer)
        {
            return;
        }

        for (var i = 0; i < balancer.Endpoints.Count; i++)
        {
            if (balancer.IsUp(i))
            {
                continue;
            }

            if (!_endpointProbes.TryGetValue(i, out var probe))
            {
                probe = new UpstreamLink(Server, Gateway, HealthHello, _connector, this, _logger, _time, _metrics) { PinnedEndpoint = i };
                _endpointProbes[i] = probe;
            }

            var (_, error) = await PingAsync(probe, cancellationToken);
            if (error is null)
            {
                balancer.Connected(i);
                GatewayLog.EndpointBack(_logger, Server.Name, balancer.Endpoints[i].Url.ToString());
                _endpointProbes.Remove(i);
                await probe.DisposeAsync();
            }
        }
    }

    private async Task<(TimeSpan? Latency, string? Error)> PingAsync(UpstreamLink link, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // No waiting out the restart backoff: a server that just failed to start is simply not healthy yet.
            var session = await link.GetSessionAsync(linked.Token, waitForBackoff: false);
            var sentAt = _time.GetTimestamp();
            var answer = await session.SendRequestAsync(McpMethods.Ping, PingParams(link), Options.Timeout, null, linked.Token);
            var latency = _time.GetElapsedTime(sentAt);
            _metrics.RecordServerLatency(Server.Name, McpMethods.Ping, latency.TotalSeconds);
            return answer is JsonRpcError error ? (null, error.Error.Message) : (latency, null);
        }
        catch (UpstreamException ex)
        {
            return (null, ex.Reason);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {ConfigValueParser.FormatDuration(Options.Timeout)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong, the server did not answer; the loop must go on checking.
            return (null, ex.Message);
        }
    }

    /// <summary>A stateless (2026-07-28) upstream learns the revision from every request's <c>_meta</c>.</summary>
    private static JsonObject? PingParams(UpstreamLink link) => link.Handshake is { IsModern: true }
        ? new JsonObject { ["_meta"] = new JsonObject { [McpMethods.MetaProtocolVersion] = ProtocolVersions.V2026_07_28 } }
        : null;

    private ServerHealth Apply(TimeSpan? latency, string? error)
    {
        var previous = _current;
        var failures = error is null ? 0 : previous.ConsecutiveFailures + 1;
        var status = (error, latency) switch
        {
            (not null, _) when failures >= Options.UnhealthyAfter => HealthStatus.Unhealthy,
            (not null, _) => HealthStatus.Degraded,
            (null, { } slow) when slow > Options.DegradedLatency => HealthStatus.Degraded,
            _ => HealthStatus.Healthy,
        };
        var latencyMs = latency is { } value ? Math.Round(value.TotalMilliseconds, 3) : (double?)null;
        var next = new ServerHealth(Server.Name, status, latencyMs, _time.GetUtcNow(), failures, error ?? previous.LastError);
        Volatile.Write(ref _current, next);
        _registry.Record(this, next);

        if (status == HealthStatus.Unhealthy)
        {
            _metrics.ServerUnreachable(Server.Name);
        }
        else
        {
            _metrics.ServerReachable(Server.Name);
        }

        var reason = error is not null ? ": " + error
            : status == HealthStatus.Degraded ? $": slower than degradedLatency ({ConfigValueParser.FormatDuration(Options.DegradedLatency)})"
            : string.Empty;
        GatewayLog.HealthChecked(_logger, Server.Name, ServerHealth.Name(status), latencyMs, reason);
        if (status != previous.Status)
        {
            GatewayLog.HealthTransition(_logger, status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning,
                Server.Name, ServerHealth.Name(previous.Status), ServerHealth.Name(status), latencyMs, failures, reason);
        }

        return next;
    }

    void IUpstreamLinkOwner.OnUpstreamRequest(UpstreamLink link, UpstreamSession session, JsonRpcRequest request) =>
        _ = RefuseAsync(session, request);

    void IUpstreamLinkOwner.OnUpstreamNotification(UpstreamLink link, JsonRpcNotification notification)
    {
        // Nobody listens on a health link.
    }

    private static async Task RefuseAsync(UpstreamSession session, JsonRpcRequest request)
    {
        try
        {
            await session.SendAsync(GatewayErrors.Create(request.Id, GatewayErrors.MethodNotFound,
                $"'{request.Method}' cannot be answered: this is the gateway's health check session"));
        }
        catch (UpstreamException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loop;
        _registry.Remove(this, Server.Name);
        await _link.DisposeAsync();
        await Task.WhenAll(_endpointProbes.Values.Select(probe => probe.DisposeAsync().AsTask()));
    }
}
