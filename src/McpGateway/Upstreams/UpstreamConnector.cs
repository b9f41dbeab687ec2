using McpGateway.Configuration;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.Upstreams;

/// <summary>Opens a transport to one configured server: a child process for stdio, the SDK's HTTP transport otherwise.</summary>
internal sealed class UpstreamConnector(HttpClient httpClient, ILoggerFactory loggerFactory)
{
    /// <summary>How long a stdio child gets to exit after stdin closes, and again after SIGTERM.</summary>
    public static readonly TimeSpan StdioGracePeriod = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Upstreams");

    public async Task<ITransport> ConnectAsync(ServerConfig server, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        if (server.Transport == ServerTransport.Stdio)
        {
            return StdioProcessTransport.Start(server, _logger, StdioGracePeriod);
        }

        var headers = new Dictionary<string, string>(server.Headers, StringComparer.OrdinalIgnoreCase);
        var options = new HttpClientTransportOptions
        {
            Endpoint = server.Url!,
            Name = server.Name,
            TransportMode = server.Transport switch
            {
                ServerTransport.StreamableHttp => HttpTransportMode.StreamableHttp,
                ServerTransport.Sse => HttpTransportMode.Sse,
                _ => HttpTransportMode.AutoDetect,
            },
            AdditionalHeaders = headers,
            ConnectionTimeout = connectTimeout,
            OwnsSession = true,
        };
        var transport = new HttpClientTransport(options, httpClient, loggerFactory, ownsHttpClient: false);
        try
        {
            return await transport.ConnectAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(server.Name, UpstreamSession.Describe(ex));
        }
    }
}
