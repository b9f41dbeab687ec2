using System.Diagnostics;

namespace McpGateway.Observability;

/// <summary>The names under which the gateway publishes telemetry; exporters and tests subscribe by these names.</summary>
internal static class GatewayTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name; meters are created per app through <c>IMeterFactory</c>.</summary>
    public const string MeterName = "McpGateway";

    /// <summary>The <see cref="ActivitySource"/> name for the gateway's spans.</summary>
    public const string ActivitySourceName = "McpGateway";

    public static readonly ActivitySource Source = new(ActivitySourceName, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());
}
