using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>OTLP export (39xx: kept apart from the other 3xxx host events).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(3901, LogLevel.Information, "OTLP export of {Signals} to {Endpoint} ({Protocol})")]
    public static partial void OtlpExportStarted(ILogger logger, string endpoint, string protocol, string signals);

    [LoggerMessage(EventId = 3902, Message = "OpenTelemetry ({Source}): {Problem}")]
    public static partial void OpenTelemetryProblem(ILogger logger, LogLevel level, string source, string problem);
}
