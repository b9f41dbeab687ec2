using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

internal static partial class GatewayLog
{
    // 41xx: the admin API (4100-4139)
    [LoggerMessage(4100, LogLevel.Information, "admin API at /api/v1 and /deploy: {Protection}")]
    public static partial void AdminApiProtection(ILogger logger, string protection);

    [LoggerMessage(4101, LogLevel.Warning, "admin request {Method} {Path} from {Remote} refused with {Status}: {Reason}")]
    public static partial void AdminRequestRefused(ILogger logger, string method, string path, string remote, int status, string reason);
}
