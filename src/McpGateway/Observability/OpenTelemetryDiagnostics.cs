using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>
/// The OpenTelemetry SDK reports its own trouble (a collector that cannot be reached, a rejected batch) only through
/// EventSource; this writes it to the gateway log so an operator sees it.
/// </summary>
/// <remarks>
/// Errors of every OpenTelemetry source and warnings of the OTLP exporter are forwarded. The SDK's other warnings are
/// not: it warns once for every instrument of a meter it was not asked to export, which is noise here.
/// </remarks>
internal sealed class OpenTelemetryDiagnostics : EventListener
{
    private const string SourcePrefix = "OpenTelemetry-";
    private const string ExporterSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    // Null while the base constructor announces existing sources (it runs before this class's fields are set).
    private readonly ILogger? _logger;

    public OpenTelemetryDiagnostics(ILogger logger) => _logger = logger;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            EnableEvents(eventSource, eventSource.Name == ExporterSource ? EventLevel.Warning : EventLevel.Error);
        }

        base.OnEventSourceCreated(eventSource);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var source = eventData.EventSource.Name;
        var wanted = eventData.Level is EventLevel.Critical or EventLevel.Error
            || (eventData.Level == EventLevel.Warning && source == ExporterSource);
        if (_logger is null || !wanted || !source.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            return;
        }

        var level = eventData.Level == EventLevel.Warning ? LogLevel.Warning : LogLevel.Error;
        GatewayLog.OpenTelemetryProblem(_logger, level, source, FirstLine(Format(eventData)));
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

    // The SDK appends whole exceptions; the first line says what failed, the stack trace says nothing to an operator.
    private static string FirstLine(string text) => text.IndexOfAny(['\r', '\n']) is var end and >= 0 ? text[..end] : text;
}
