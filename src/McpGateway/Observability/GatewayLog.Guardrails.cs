using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

internal static partial class GatewayLog
{
    // 61xx: guardrails (argument validation, blocked tools, redaction); never the values themselves
    [LoggerMessage(6101, LogLevel.Information, "[{Server}] tools/call {Tool} refused: argument {Path} failed {Keyword}")]
    public static partial void ArgumentsRejected(ILogger logger, string server, string tool, string path, string keyword);

    [LoggerMessage(6102, LogLevel.Debug, "[{Server}] no inputSchema known for tool {Tool}; forwarded unvalidated")]
    public static partial void NoSchemaForTool(ILogger logger, string server, string tool);

    [LoggerMessage(6103, LogLevel.Information, "[{Server}] tools/call {Tool} refused: the tool is blocked by guardrails.blockedTools")]
    public static partial void BlockedToolCalled(ILogger logger, string server, string tool);

    [LoggerMessage(6104, LogLevel.Debug, "[{Target}] redacted {Count} match(es) of {Detector} in a {Method} answer")]
    public static partial void Redacted(ILogger logger, string target, int count, string detector, string method);

    [LoggerMessage(6105, LogLevel.Debug, "[{Server}] fetching tools/list to validate {Tool} failed: {Reason}")]
    public static partial void SchemaFetchFailed(ILogger logger, string server, string tool, string reason);
}
