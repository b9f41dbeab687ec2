using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

internal static partial class GatewayLog
{
    // 6120-6139: tool pinning ("rug-pull" protection); definitions and diffs only, never call arguments
    [LoggerMessage(6120, LogLevel.Debug, "[{Server}] tool {Tool} pinned on first sight (sha256 {Hash})")]
    public static partial void ToolPinned(ILogger logger, string server, string tool, string hash);

    [LoggerMessage(6121, LogLevel.Warning, "[{Server}] tool {Tool} changed its definition since it was approved; withheld from lists and calls until an admin approves it (POST /api/v1/tool-pins/{Server}/{Tool}/approve). Approved sha256 {ApprovedHash}, now {PendingHash}. Changes: {Diff}")]
    public static partial void ToolDefinitionChanged(ILogger logger, string server, string tool, string approvedHash, string pendingHash, string diff);

    [LoggerMessage(6122, LogLevel.Warning, "[{Server}] new tool {Tool} withheld until an admin approves it (guardrails.pinning.approveNew is false; sha256 {Hash})")]
    public static partial void NewToolAwaitingApproval(ILogger logger, string server, string tool, string hash);

    [LoggerMessage(6123, LogLevel.Debug, "[{Server}] tool pin for {Tool} saved ({State})")]
    public static partial void ToolPinSaved(ILogger logger, string server, string tool, string state);

    [LoggerMessage(6124, LogLevel.Information, "[{Server}] tools/call {Tool} refused: its definition changed and awaits approval")]
    public static partial void WithheldToolCalled(ILogger logger, string server, string tool);

    [LoggerMessage(6125, LogLevel.Warning, "[{Server}] tool {Tool} approved by an admin (sha256 {Hash}); listed and callable again")]
    public static partial void ToolPinApproved(ILogger logger, string server, string tool, string hash);

    [LoggerMessage(6126, LogLevel.Information, "[{Server}] tool pin for {Tool} forgotten by an admin; its next definition is trusted on sight")]
    public static partial void ToolPinForgotten(ILogger logger, string server, string tool);

    [LoggerMessage(6127, LogLevel.Error, "[{Server}] saving the tool pin for {Tool} failed: {Reason}; it holds in memory until restart")]
    public static partial void ToolPinSaveFailed(ILogger logger, string server, string tool, string reason);

    [LoggerMessage(6128, LogLevel.Information, "Tool pins loaded: {Count} pinned, {Pending} awaiting approval")]
    public static partial void ToolPinsLoaded(ILogger logger, int count, int pending);
}
