using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>Traffic policy (70xx: 7000-7099): limits, bulkheads, retries, circuit breakers, timeouts.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(7000, LogLevel.Information, "limit {Limit} ({Kind}) refused {Method} of {PrincipalId}; retry in {RetryAfterMs} ms")]
    public static partial void RateLimited(ILogger logger, string limit, string kind, string principalId, string method, long retryAfterMs);

    [LoggerMessage(7010, LogLevel.Warning, "circuit breaker of {Server} opened after repeated failures; calls are refused for {Seconds} s")]
    public static partial void CircuitOpened(ILogger logger, string server, double seconds);

    [LoggerMessage(7011, LogLevel.Information, "circuit breaker of {Server} is half-open: the next call probes the server")]
    public static partial void CircuitHalfOpen(ILogger logger, string server);

    [LoggerMessage(7012, LogLevel.Information, "circuit breaker of {Server} closed: the server answers again")]
    public static partial void CircuitClosed(ILogger logger, string server);

    [LoggerMessage(7020, LogLevel.Warning, "{Server} is at its concurrency limit ({MaxConcurrency} in flight, {MaxQueue} waiting): request refused")]
    public static partial void UpstreamQueueFull(ILogger logger, string server, int maxConcurrency, int maxQueue);

    [LoggerMessage(7021, LogLevel.Debug, "{Server} is at its concurrency limit: a request waits for a slot ({Waiting} waiting)")]
    public static partial void UpstreamQueued(ILogger logger, string server, int waiting);

    [LoggerMessage(7030, LogLevel.Information, "retrying a safe request to {Server} (attempt {Attempt}) in {DelayMs} ms: the server did not answer")]
    public static partial void UpstreamRetrying(ILogger logger, string server, int attempt, double delayMs);

    [LoggerMessage(7050, LogLevel.Warning, "endpoint {Endpoint} of {Server} is out for {Seconds} s: {Reason}; new sessions go to the other endpoints")]
    public static partial void EndpointOut(ILogger logger, string server, string endpoint, string reason, double seconds);

    [LoggerMessage(7052, LogLevel.Information, "endpoint {Endpoint} of {Server} answers its health check again: back in use")]
    public static partial void EndpointBack(ILogger logger, string server, string endpoint);

    [LoggerMessage(7060, LogLevel.Debug, "{Server} sent {Notification}: what it makes stale is dropped from the response cache")]
    public static partial void CacheInvalidated(ILogger logger, string server, string notification);

    [LoggerMessage(7051, LogLevel.Information, "{Server}: upstream session opened on endpoint {Endpoint}")]
    public static partial void EndpointChosen(ILogger logger, string server, string endpoint);

    [LoggerMessage(7040, LogLevel.Debug, "progress from {Server} extended the timeout of request {RequestId}")]
    public static partial void TimeoutExtended(ILogger logger, string server, long requestId);
}
