using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Security;
using Microsoft.Extensions.Logging;

namespace McpGateway.Upstreams;

/// <summary>
/// The HTTP clients upstream traffic uses. Config-file servers are trusted (the operator wrote them, loopback included);
/// registered servers go through a second connection pool whose connect step checks the address actually connected to
/// against <c>security.upstreams</c>, which defeats DNS rebinding. Separate pools, so a trusted server's pooled
/// connection is never reused for a registered one. Servers with <c>auth</c> get a bearer token on top.
/// </summary>
internal sealed class UpstreamHttp : IDisposable
{
    private readonly SocketsHttpHandler _trusted;
    private readonly SocketsHttpHandler _policed;
    private readonly IGatewayConfigProvider _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Tokens outlive transports (each client session opens its own); keyed by server name and its auth settings.
    private readonly ConcurrentDictionary<(string Server, ClientCredentialsAuth Auth, EntryOrigin Origin), ClientCredentialsTokenSource> _tokens = new();

    public UpstreamHttp(IGatewayConfigProvider config, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _config = config;
        _time = time;
        _logger = loggerFactory.CreateLogger("McpGateway.Upstreams.Security");
        _trusted = CreateHandler();
        _policed = CreateHandler();
        _policed.ConnectCallback = ConnectCheckedAsync;
    }

    /// <summary>A client for <paramref name="server"/>; cheap, shares the pools.</summary>
    public HttpClient ClientFor(ServerConfig server)
    {
        ArgumentNullException.ThrowIfNull(server);
        HttpMessageHandler handler = server.Origin == EntryOrigin.File ? _trusted : _policed;
        if (server.Auth is { } auth)
        {
            var tokens = _tokens.GetOrAdd((server.Name, auth, server.Origin), key => new ClientCredentialsTokenSource(key.Server, key.Auth, new HttpClient(handler, disposeHandler: false), _time, _logger));
            handler = new BearerTokenHandler(server.Name, tokens, _logger) { InnerHandler = handler };
        }

        return new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose()
    {
        _trusted.Dispose();
        _policed.Dispose();
    }

    /// <summary>No overall timeout: SSE streams live long; the gateway times requests itself.</summary>
    private static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    };

    private async ValueTask<Stream> ConnectCheckedAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var policy = _config.Current.Security.Upstreams;
        string? refusal = null;
        Exception? failure = null;
        foreach (var address in addresses)
        {
            // The address checked is the one connected to: no second resolution can swap it.
            if (UpstreamAddressPolicy.Refusal(policy, host, address) is { } reason)
            {
                refusal ??= reason;
                GatewayLog.UpstreamAddressRefused(_logger, host, port, reason);
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                failure = ex;
                if (ex is OperationCanceledException)
                {
                    throw;
                }
            }
        }

        if (failure is not null)
        {
            throw failure;
        }

        throw new HttpRequestException(refusal is null
            ? $"`{host}` has no address"
            : $"upstream address refused: {refusal}; to allow it, {UpstreamAddressPolicy.AllowHint}");
    }
}
