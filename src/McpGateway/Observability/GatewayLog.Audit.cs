using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>The audit trail's writer (52xx: 5200-5219). Records themselves go to the database, not the log.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(5200, LogLevel.Warning, "audit queue full ({Capacity} records waiting for the database): {Dropped} records dropped so far")]
    public static partial void AuditQueueFull(ILogger logger, int capacity, long dropped);

    [LoggerMessage(5201, LogLevel.Error, "audit: could not write {Count} records after 3 attempts; they are dropped: {Reason}")]
    public static partial void AuditWriteFailed(ILogger logger, int count, string reason);

    [LoggerMessage(5203, LogLevel.Debug, "audit: {Count} records written ({Total} since start)")]
    public static partial void AuditWritten(ILogger logger, int count, long total);

    [LoggerMessage(5202, LogLevel.Information, "audit: {Count} records older than {Before:o} purged (audit.retention)")]
    public static partial void AuditPurged(ILogger logger, int count, DateTimeOffset before);
}
