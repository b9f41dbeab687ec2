using McpGateway.Configuration;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.Upstreams;

/// <summary>Opens a transport to one configured server: a child process for stdio, the gateway's own Streamable HTTP client, or the SDK's legacy SSE client.</summary>
internal sealed class UpstreamConnector(Func<ServerConfig, HttpClient> httpClientFor, ILoggerFactory loggerFactory)
{
    /// <summary>Every server through one client (tests).</summary>
    public UpstreamConnector(HttpClient httpClient, ILoggerFactory loggerFactory)
        : this(_ => httpClient, loggerFactory)
    {
    }

    /// <summary>How long a stdio child gets to exit after stdin closes, and again after SIGTERM.</summary>
    public static readonly TimeSpan StdioGracePeriod = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Upstreams");

    public async Task<ITransport> ConnectAsync(ServerConfig server, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        if (server.Transport == ServerTransport.Stdio)
        {
            return DetachedTask.Start(() => StdioProcessTransport.Start(server, _logger, StdioGracePeriod));
        }

        if (server.Transport is ServerTransport.StreamableHttp or ServerTransport.AutoDetect)
        {
            Func<CancellationToken, Task<ITransport>>? fallback = server.Transport == ServerTransport.AutoDetect
                ? token => ConnectLegacySseAsync(server, connectTimeout, token)
                : null;
            return new StreamableHttpTransport(server, httpClientFor(server), _logger, fallback);
        }

        return await ConnectLegacySseAsync(server, connectTimeout, cancellationToken);
    }

    /// <summary>The legacy HTTP+SSE transport (2024-11-05) comes from the SDK.</summary>
    private async Task<ITransport> ConnectLegacySseAsync(ServerConfig server, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var options = new HttpClientTransportOptions
        {
            Endpoint = server.Url!,
            Name = server.Name,
            TransportMode = HttpTransportMode.Sse,
            AdditionalHeaders = new Dictionary<string, string>(server.Headers, StringComparer.OrdinalIgnoreCase),
            ConnectionTimeout = connectTimeout,
            OwnsSession = true,
        };
        var transport = new HttpClientTransport(options, httpClientFor(server), loggerFactory, ownsHttpClient: false);
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
