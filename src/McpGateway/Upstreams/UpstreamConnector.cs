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

    /// <summary>Per-server concurrency limits, retries and circuit breakers; null: none (tests that build links directly).</summary>
    public UpstreamTraffic? Traffic { get; init; }

    /// <summary>Opt-in response caching (<c>cache:</c>); null: none (tests that build links directly).</summary>
    public ResponseCache? Cache { get; init; }

    /// <summary>Where principals' own credentials come from (<c>auth: { type: perPrincipal }</c>); null: no such servers (tests).</summary>
    public Security.PrincipalCredentials? PrincipalCredentials { get; init; }

    /// <param name="principalId">Whose connection this is; its stored credential is added for a per-principal server.</param>
    public async Task<ITransport> ConnectAsync(ServerConfig server, string? principalId, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        if (server.PrincipalAuth is { } principalAuth)
        {
            server = await WithPrincipalCredentialAsync(server, principalAuth, principalId, cancellationToken);
        }

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

    /// <summary>
    /// The server as this principal's connection sees it: its credential in the configured header or environment
    /// variable. Only this transport gets the copy; the snapshot and every other principal's links are untouched.
    /// </summary>
    private async Task<ServerConfig> WithPrincipalCredentialAsync(ServerConfig server, PrincipalCredentialAuth auth, string? principalId, CancellationToken cancellationToken)
    {
        if (principalId is null)
        {
            // The gateway's own connections (health checks, admin listings) have nobody to act for.
            throw new UpstreamException(server.Name, "it acts on behalf of each user (auth: perPrincipal), so only a client's own connection can reach it");
        }

        var credential = PrincipalCredentials is null ? null : await PrincipalCredentials.FindAsync(server.Name, principalId, cancellationToken);
        if (credential is null)
        {
            throw new UpstreamCredentialRequiredException(server.Name, principalId);
        }

        var value = auth.Render(credential);
        if (auth.Env is { } variable)
        {
            return server with { Env = new Dictionary<string, string>(server.Env, StringComparer.Ordinal) { [variable] = value } };
        }

        return server with { Headers = new Dictionary<string, string>(server.Headers, StringComparer.OrdinalIgnoreCase) { [auth.Header!] = value } };
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
