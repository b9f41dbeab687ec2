using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>
/// The OpenTelemetry SDK reports its own trouble (a collector that cannot be reached, a rejected batch) only through
/// EventSource; this writes those warnings and errors to the gateway log so an operator sees them.
/// </summary>
internal sealed class OpenTelemetryDiagnostics : EventListener
{
    private const string SourcePrefix = "OpenTelemetry-";

    // Null while the base constructor announces existing sources (it runs before this class's fields are set).
    private readonly ILogger? _logger;

    public OpenTelemetryDiagnostics(ILogger logger) => _logger = logger;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }

        base.OnEventSourceCreated(eventSource);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_logger is null || eventData.Level > EventLevel.Warning || !eventData.EventSource.Name.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            return;
        }

        var level = eventData.Level is EventLevel.Critical or EventLevel.Error ? LogLevel.Error : LogLevel.Warning;
        GatewayLog.OpenTelemetryProblem(_logger, level, eventData.EventSource.Name, Format(eventData));
    }

    private static string Format(EventWrittenEventArgs eventData)
    {
        if (eventData.Message is null || eventData.Payload is null)
        {
            return eventData.EventName ?? eventData.EventId.ToString(CultureInfo.InvariantCulture);
        }

        try
        {
            return string.Format(CultureInfo.InvariantCulture, eventData.Message, [.. eventData.Payload]);
        }
        catch (FormatException)
        {
            return eventData.Message;
        }
    }
}
