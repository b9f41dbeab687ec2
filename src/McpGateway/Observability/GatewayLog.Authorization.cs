using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>Authorization (51xx: 5100-5139): what a principal was refused and why; the caller only ever sees "unknown".</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(5100, LogLevel.Warning, "{PrincipalId} refused {Target}: {Reason} (applicable policies: {Policies}); answered as unknown")]
    public static partial void TargetRefused(ILogger logger, string principalId, string target, string reason, string policies);

    [LoggerMessage(5101, LogLevel.Warning, "{PrincipalId} refused {Method} {Item} on {Target} (applicable policies: {Policies}); answered as unknown")]
    public static partial void ItemRefused(ILogger logger, string principalId, string method, string item, string target, string policies);

    [LoggerMessage(5102, LogLevel.Warning, "authentication is on but `authorization:` is absent: every authenticated principal may use every server, virtual server and tool")]
    public static partial void AuthorizationOff(ILogger logger);

    [LoggerMessage(5103, LogLevel.Information, "authorization: {Count} policies; what no policy grants is invisible")]
    public static partial void AuthorizationConfigured(ILogger logger, int count);
}
