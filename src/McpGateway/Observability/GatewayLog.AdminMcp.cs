using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

internal static partial class GatewayLog
{
    // 33xx: the management MCP server at /admin/mcp
    [LoggerMessage(3300, LogLevel.Information, "admin MCP tool {Tool}: {Outcome}")]
    public static partial void AdminMcpToolCalled(ILogger logger, string tool, string outcome);

    [LoggerMessage(3301, LogLevel.Warning, "admin MCP request refused with {Status} from {Remote}")]
    public static partial void AdminMcpRefused(ILogger logger, int status, string remote);
}
