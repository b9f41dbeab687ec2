using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>The registry store (40xx: 4000-4019).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(4000, LogLevel.Information, "registry store opened: {Description} ({ServerCount} server(s), {ViewCount} view(s) stored; schema {Schema}; {ElapsedMs} ms)")]
    public static partial void StoreOpened(ILogger logger, string description, int serverCount, int viewCount, string schema, double elapsedMs);

    [LoggerMessage(4001, LogLevel.Information, "registry store {Description}: applied schema migration(s) {Migrations}")]
    public static partial void StoreMigrated(ILogger logger, string description, string migrations);

    [LoggerMessage(4002, LogLevel.Critical, "registry store {Description} refused: {Reason}")]
    public static partial void StoreSchemaRefused(ILogger logger, string description, string reason);

    [LoggerMessage(4003, LogLevel.Debug, "registry store saved revision {Revision}: {Summary} ({ElapsedMs} ms)")]
    public static partial void StoreSaved(ILogger logger, long revision, string summary, double elapsedMs);

    [LoggerMessage(4004, LogLevel.Information, "registry store: created {Path}")]
    public static partial void StoreFileCreated(ILogger logger, string path);
}
