using System.Diagnostics.Metrics;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpGateway.Tests.Upstreams;

public sealed class UpstreamLinkBackoffTests
{
    [Fact]
    public async Task BackoffFor_ConsecutiveFailures_DoublesUpToTheCap()
    {
        var server = new ServerConfig
        {
            Name = "s",
            Command = "true",
            RestartInitialBackoff = TimeSpan.FromMilliseconds(250),
            RestartMaxBackoff = TimeSpan.FromSeconds(2),
        };
        using var http = new HttpClient();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(services.GetRequiredService<IMeterFactory>(), new GatewayConfigProvider(new GatewayConfig()), new NoCircuitStates());
        await using var link = new UpstreamLink(server, new GatewayOptions(), ClientHello.Gateway(false), new UpstreamConnector(http, NullLoggerFactory.Instance), new NoOwner(), NullLogger.Instance, TimeProvider.System, metrics);

        var delays = Enumerable.Range(0, 7).Select(link.BackoffFor).Select(d => d.TotalMilliseconds);

        delays.Should().Equal(0, 250, 500, 1000, 2000, 2000, 2000);
    }

    private sealed class NoOwner : IUpstreamLinkOwner
    {
        public void OnUpstreamRequest(UpstreamLink link, UpstreamSession session, ModelContextProtocol.Protocol.JsonRpcRequest request)
        {
        }

        public void OnUpstreamNotification(UpstreamLink link, ModelContextProtocol.Protocol.JsonRpcNotification notification)
        {
        }
    }
}
