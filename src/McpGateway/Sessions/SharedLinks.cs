using System.Collections.Concurrent;
using McpGateway.Aggregation;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Sessions;

/// <summary>
/// One upstream link per server shared by many clients: servers in <c>sessionMode: shared</c>, and every server reached by
/// stateless (2026-07-28) clients, which have no session to bind to. Server→client requests cannot be relayed on a
/// shared link and are refused with a clear error; list changes invalidate the stateless views' catalogs.
/// </summary>
internal sealed class SharedLinks(UpstreamConnector connector, IGatewayConfigProvider config, LastKnownLists lastKnown, ILoggerFactory loggerFactory, TimeProvider time, GatewayMetrics metrics, Guardrails.ToolPins pins) : IUpstreamLinkOwner, IHostedService
{
    private readonly ConcurrentDictionary<string, UpstreamLink> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ViewSession> _views = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Sessions");
    private long _turn;

    /// <summary>
    /// The shared link to <paramref name="server"/>; a server with per-principal credentials has one per principal
    /// (<paramref name="principalId"/>), since the connection carries that principal's credential.
    /// </summary>
    public UpstreamLink For(ServerConfig server, string? principalId = null)
    {
        var owner = server.PrincipalAuth is null ? null : principalId;

        // Balanced endpoints are chosen per call, with a link pinned to each (failover keeps one link that moves on failure).
        if (server.Traffic.Strategy != BalanceStrategy.Failover && connector.Traffic?.For(server).Balancer is { } balancer)
        {
            var endpoint = balancer.Choose();
            return _links.GetOrAdd(LinkKey(server.Name, owner, endpoint, "@"), _ => new UpstreamLink(server, config.Current.Gateway, ClientHello.Gateway(preferModern: true), connector, this, _logger, time, metrics)
            {
                PrincipalId = owner,
                PinnedEndpoint = endpoint,
            });
        }

        // Replicas take turns per call; a shared-mode client session keeps the one it got first.
        var replica = server.Replicas > 1 ? (int)((uint)Interlocked.Increment(ref _turn) % (uint)server.Replicas) : 0;
        return _links.GetOrAdd(LinkKey(server.Name, owner, replica), _ => new UpstreamLink(server, config.Current.Gateway, ClientHello.Gateway(preferModern: true), connector, this, _logger, time, metrics)
        {
            PrincipalId = owner,
            Replica = replica,
        });
    }

    public bool Owns(UpstreamLink link) => _links.Values.Contains(link);

    /// <summary>Closes the shared links of servers a reload removed or reconnects (every principal's); the next use opens a new one.</summary>
    public Task ForgetAsync(IEnumerable<string> servers)
    {
        var names = servers.ToHashSet(StringComparer.Ordinal);
        return Task.WhenAll(_links.Where(l => names.Contains(l.Value.Server.Name)).Select(l => _links.TryRemove(l) ? l.Value.DisposeAsync().AsTask() : Task.CompletedTask));
    }

    /// <summary>Closes one principal's shared link to one server (its credential changed).</summary>
    public Task ForgetAsync(string server, string principalId) =>
        Task.WhenAll(_links.Where(l => l.Value.Server.Name == server && l.Value.PrincipalId == principalId)
            .Select(l => _links.TryRemove(l) ? l.Value.DisposeAsync().AsTask() : Task.CompletedTask));

    /// <summary>
    /// The catalog of a view for stateless clients, built on shared links. A view with a per-principal member gets one
    /// catalog per principal: its links, and so its lists, belong to that principal.
    /// </summary>
    public ViewSession ViewFor(ViewTarget target, string? principalId = null)
    {
        var owner = target.Members.Any(m => m.PrincipalAuth is not null) ? principalId : null;
        return _views.GetOrAdd(LinkKey(target.RouteKey, owner), _ => new ViewSession(new SharedViewMembers(target, this, owner), config.Current.Gateway, lastKnown, _logger, pins));
    }

    private static string LinkKey(string name, string? principalId, int index = 0, string kind = "#") =>
        (principalId is null ? name : $"{name}\n{principalId}") + (index == 0 && kind == "#" ? string.Empty : kind + index);

    void IUpstreamLinkOwner.OnUpstreamRequest(UpstreamLink link, UpstreamSession session, JsonRpcRequest request) =>
        _ = RefuseAsync(session, request);

    void IUpstreamLinkOwner.OnUpstreamNotification(UpstreamLink link, JsonRpcNotification notification)
    {
        if (CatalogKinds.FromListChanged(notification.Method) is { } changed)
        {
            foreach (var (_, view) in _views)
            {
                view.Invalidate(link.Server.Name, changed);
            }

            return;
        }

        GatewayLog.StatelessNotificationDropped(_logger, link.Server.Name, notification.Method);
    }

    private static async Task RefuseAsync(UpstreamSession session, JsonRpcRequest request)
    {
        try
        {
            await session.SendAsync(GatewayErrors.Create(request.Id, GatewayErrors.MethodNotFound,
                $"'{request.Method}' cannot be relayed: this upstream session is shared between clients"));
        }
        catch (UpstreamException)
        {
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Stateless view catalogs are rebuilt from the new snapshot on next use.
        config.Changed += _ => _views.Clear();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_links.Values.Select(l => l.DisposeAsync().AsTask()));
        _links.Clear();
    }

    private sealed class SharedViewMembers(ViewTarget target, SharedLinks links, string? principalId) : IViewMembers
    {
        public VirtualServerConfig View => target.View;

        public IReadOnlyList<ServerConfig> Members => target.Members;

        public GuardrailOptions Guardrails => target.Guardrails;

        public UpstreamLink LinkFor(ServerConfig member) => links.For(member, principalId);

        public object? Requester => null;
    }
}
