using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>JWT access tokens and the issuer's key set (5040-5079).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(5040, LogLevel.Debug, "JWT accepted: {PrincipalId} (scopes: {Scopes})")]
    public static partial void JwtAccepted(ILogger logger, string principalId, string scopes);

    [LoggerMessage(5041, LogLevel.Information, "JWT rejected: {Reason}")]
    public static partial void JwtRejected(ILogger logger, string reason);

    [LoggerMessage(5042, LogLevel.Information, "JWKS fetched from {JwksUrl}: {KeyCount} signing key(s), cached for {CacheSeconds} s ({Cause})")]
    public static partial void JwksFetched(ILogger logger, Uri jwksUrl, int keyCount, double cacheSeconds, string cause);

    [LoggerMessage(5043, LogLevel.Warning, "JWKS fetch from {JwksUrl} failed: {Reason}; keeping {KeyCount} cached key(s)")]
    public static partial void JwksFetchFailed(ILogger logger, Uri jwksUrl, string reason, int keyCount);

    [LoggerMessage(5044, LogLevel.Debug, "JWKS refetch for unknown kid {Kid} skipped: the last fetch was {SinceSeconds} s ago (at most one per {IntervalSeconds} s)")]
    public static partial void JwksRefreshThrottled(ILogger logger, string kid, double sinceSeconds, double intervalSeconds);

    [LoggerMessage(5045, LogLevel.Information, "JWT lacks required scope(s) {Missing}: {PrincipalId}")]
    public static partial void JwtInsufficientScope(ILogger logger, string missing, string principalId);
}
