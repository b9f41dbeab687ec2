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

    public UpstreamLink For(ServerConfig server) =>
        _links.GetOrAdd(server.Name, _ => new UpstreamLink(server, config.Current.Gateway, ClientHello.Gateway(preferModern: true), connector, this, _logger, time, metrics));

    public bool Owns(UpstreamLink link) => _links.TryGetValue(link.Server.Name, out var shared) && ReferenceEquals(shared, link);

    /// <summary>Closes the shared links of servers a reload removed or reconnects; the next use opens a new one.</summary>
    public Task ForgetAsync(IEnumerable<string> servers) =>
        Task.WhenAll(servers.Select(name => _links.TryRemove(name, out var link) ? link.DisposeAsync().AsTask() : Task.CompletedTask));

    /// <summary>The catalog of a view for stateless clients, built on shared links.</summary>
    public ViewSession ViewFor(ViewTarget target) =>
        _views.GetOrAdd(target.RouteKey, _ => new ViewSession(new SharedViewMembers(target, this), config.Current.Gateway, lastKnown, _logger, pins));

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

    private sealed class SharedViewMembers(ViewTarget target, SharedLinks links) : IViewMembers
    {
        public VirtualServerConfig View => target.View;

        public IReadOnlyList<ServerConfig> Members => target.Members;

        public GuardrailOptions Guardrails => target.Guardrails;

        public UpstreamLink LinkFor(ServerConfig member) => links.For(member);

        public object? Requester => null;
    }
}
