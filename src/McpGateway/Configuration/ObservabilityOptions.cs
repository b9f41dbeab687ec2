namespace McpGateway.Configuration;

/// <summary>The <c>observability:</c> section: what the gateway calls itself in telemetry and where it sends it.</summary>
public sealed record ObservabilityOptions
{
    public const string DefaultServiceName = "mcp-gateway";

    /// <summary>The <c>service.name</c> resource attribute (file, else <c>OTEL_SERVICE_NAME</c>, else this default).</summary>
    public string ServiceName { get; init; } = DefaultServiceName;

    /// <summary>
    /// Share (0 to 1) of new traces that are recorded. A client's <c>traceparent</c> decision is followed as it is, so
    /// the ratio only applies to requests that arrive without one.
    /// </summary>
    public double TraceSampleRatio { get; init; } = 1.0;

    /// <summary>OTLP export; null means none, and then no OpenTelemetry provider exists at all.</summary>
    public OtlpExportOptions? Otlp { get; init; }
}

public enum OtlpProtocol
{
    /// <summary>OTLP/HTTP with protobuf bodies, to <c>{endpoint}/v1/traces</c> and <c>{endpoint}/v1/metrics</c> (port 4318 by convention).</summary>
    HttpProtobuf,

    /// <summary>OTLP/gRPC to the endpoint as given (port 4317 by convention).</summary>
    Grpc,
}

/// <summary>The <c>observability.otlp:</c> section.</summary>
public sealed record OtlpExportOptions
{
    public static readonly TimeSpan DefaultExportInterval = TimeSpan.FromSeconds(15);

    /// <summary>The collector's base URL (file, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>File, else <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else http/protobuf.</summary>
    public OtlpProtocol Protocol { get; init; } = OtlpProtocol.HttpProtobuf;

    /// <summary>Sent with every export request (e.g. a collector's API key).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public bool Traces { get; init; } = true;

    public bool Metrics { get; init; } = true;

    /// <summary>How often metrics are collected and sent.</summary>
    public TimeSpan ExportInterval { get; init; } = DefaultExportInterval;
}
