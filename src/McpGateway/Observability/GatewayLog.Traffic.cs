using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>Traffic policy (70xx: 7000-7099): limits, bulkheads, retries, circuit breakers, timeouts.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(7000, LogLevel.Information, "limit {Limit} ({Kind}) refused {Method} of {PrincipalId}; retry in {RetryAfterMs} ms")]
    public static partial void RateLimited(ILogger logger, string limit, string kind, string principalId, string method, long retryAfterMs);
}
