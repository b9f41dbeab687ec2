using System.Collections.Concurrent;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Sessions;

/// <summary>
/// One shared upstream link per server for stateless (2026-07-28) clients, which have no session to bind to.
/// Server→client requests cannot be relayed on a shared link and are refused with a clear error.
/// </summary>
internal sealed class StatelessLinks(UpstreamConnector connector, IGatewayConfigProvider config, ILoggerFactory loggerFactory, TimeProvider time) : IUpstreamLinkOwner, IHostedService
{
    private readonly ConcurrentDictionary<string, UpstreamLink> _links = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Sessions");

    public UpstreamLink For(ServerConfig server) =>
        _links.GetOrAdd(server.Name, _ => new UpstreamLink(server, config.Current.Gateway, ClientHello.Gateway(preferModern: true), connector, this, _logger, time));

    void IUpstreamLinkOwner.OnUpstreamRequest(UpstreamLink link, UpstreamSession session, JsonRpcRequest request) =>
        _ = RefuseAsync(session, request);

    void IUpstreamLinkOwner.OnUpstreamNotification(UpstreamLink link, JsonRpcNotification notification) =>
        GatewayLog.StatelessNotificationDropped(_logger, link.Server.Name, notification.Method);

    private static async Task RefuseAsync(UpstreamSession session, JsonRpcRequest request)
    {
        try
        {
            await session.SendAsync(GatewayErrors.Create(request.Id, GatewayErrors.MethodNotFound,
                $"'{request.Method}' cannot be relayed: the client speaks the stateless revision and this upstream session is shared"));
        }
        catch (UpstreamException)
        {
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_links.Values.Select(l => l.DisposeAsync().AsTask()));
        _links.Clear();
    }
}
