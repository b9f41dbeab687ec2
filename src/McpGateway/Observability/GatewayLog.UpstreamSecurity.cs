using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

internal static partial class GatewayLog
{
    // 5080-5119: upstream credentials and the upstream address (SSRF) policy
    [LoggerMessage(5080, LogLevel.Warning, "upstream {Host}:{Port} of a registered server refused: {Reason}")]
    public static partial void UpstreamAddressRefused(ILogger logger, string host, int port, string reason);

    [LoggerMessage(5090, LogLevel.Debug, "server {Server}: fetched an access token from {TokenEndpoint}, valid for {Lifetime}")]
    public static partial void UpstreamTokenFetched(ILogger logger, string server, string tokenEndpoint, TimeSpan lifetime);

    [LoggerMessage(5091, LogLevel.Warning, "server {Server}: token request to {TokenEndpoint} failed: {Reason}")]
    public static partial void UpstreamTokenFailed(ILogger logger, string server, string tokenEndpoint, string reason);

    [LoggerMessage(5092, LogLevel.Information, "server {Server} answered 401 to a bearer token; dropped it and retrying once with a new one")]
    public static partial void UpstreamTokenRejected(ILogger logger, string server);
}
