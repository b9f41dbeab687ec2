using McpGateway.Configuration;
using McpGateway.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace McpGateway.Observability;

/// <summary>
/// Sends spans and metrics to an OTLP collector. Registered only when an endpoint is configured, so a gateway without
/// one has no OpenTelemetry listener at all. Stopping the host flushes what is pending; disposal shuts the providers down.
/// </summary>
/// <remarks>OpenTelemetry.Extensions.Hosting is not available, hence the hand-built providers and this hosted service.</remarks>
internal sealed class OtlpExport : IHostedService, IDisposable
{
    /// <summary>
    /// The gateway's own spans, plus two sources built into .NET (no instrumentation package needed): ASP.NET Core's
    /// incoming request and HttpClient's outgoing one (calls to HTTP upstreams).
    /// </summary>
    public static readonly string[] ActivitySources = [GatewayTelemetry.ActivitySourceName, "Microsoft.AspNetCore", "System.Net.Http"];

    /// <summary>The gateway's meter, the runtime's (GC, thread pool, memory) and ASP.NET Core's HTTP server meters.</summary>
    public static readonly string[] Meters = [GatewayTelemetry.MeterName, "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    // Bounds how long stopping waits for the collector; OTLP's own per-request timeout is 10 s.
    private const int FlushTimeoutMilliseconds = 5_000;

    private readonly ILogger<OtlpExport> _logger;
    private readonly OtlpExportOptions _otlp;
    private readonly OpenTelemetryDiagnostics _diagnostics;

    public OtlpExport(ObservabilityOptions options, ILogger<OtlpExport> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _otlp = options.Otlp ?? throw new ArgumentException("OTLP export needs observability.otlp", nameof(options));
        _logger = logger;
        _diagnostics = new OpenTelemetryDiagnostics(logger);

        // One instance id for both signals, so a backend can join this process's spans and metrics.
        var instanceId = Guid.NewGuid().ToString();
        ResourceBuilder Resource() => ResourceBuilder.CreateDefault()
            .AddService(options.ServiceName, serviceVersion: GatewayVersion.Current, autoGenerateServiceInstanceId: false, serviceInstanceId: instanceId);

        if (_otlp.Traces)
        {
            TracerProvider = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(Resource())
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                .AddSource(ActivitySources)
                .AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(ExporterOptions("v1/traces"))))
                .Build();
        }

        if (_otlp.Metrics)
        {
            var intervalMilliseconds = (int)Math.Clamp(_otlp.ExportInterval.TotalMilliseconds, 1, int.MaxValue);
            MeterProvider = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(Resource())
                .AddMeter(Meters)
                .AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(ExporterOptions("v1/metrics")), intervalMilliseconds))
                .Build();
        }
    }

    public TracerProvider? TracerProvider { get; }

    public MeterProvider? MeterProvider { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        GatewayLog.OtlpExportStarted(_logger, Describe(_otlp.Endpoint), _otlp.Protocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf", Signals());
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs after the web server and the sessions have stopped (hosted services stop in reverse order and this one is
    /// registered first), so the spans of the last requests are complete and go out before the process ends.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        TracerProvider?.ForceFlush(FlushTimeoutMilliseconds);
        MeterProvider?.ForceFlush(FlushTimeoutMilliseconds);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        TracerProvider?.Dispose();
        MeterProvider?.Dispose();
        _diagnostics.Dispose();
    }

    /// <summary>
    /// Options for one signal. The exporter reads the OTEL_EXPORTER_OTLP_* variables first (timeout, compression,
    /// extra headers); the configured endpoint, protocol and headers then win.
    /// </summary>
    private OtlpExporterOptions ExporterOptions(string signalPath)
    {
        var exporter = new OtlpExporterOptions
        {
            Protocol = _otlp.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf,
            // An endpoint set in code is used as it is; OTLP/HTTP wants the signal's path appended to the base URL.
            Endpoint = _otlp.Protocol == OtlpProtocol.Grpc ? _otlp.Endpoint : AppendPath(_otlp.Endpoint, signalPath),
        };
        var timeout = TimeSpan.FromMilliseconds(exporter.TimeoutMilliseconds);
        var headers = _otlp.Headers;

        // Headers go on the client rather than into the options' "k=v,k=v" string, which cannot carry every value.
        exporter.HttpClientFactory = () =>
        {
            var client = new HttpClient { Timeout = timeout };
            foreach (var (name, value) in headers)
            {
                client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
            }

            return client;
        };
        return exporter;
    }

    private static Uri AppendPath(Uri baseUrl, string path)
    {
        var text = baseUrl.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path);
    }

    /// <summary>The endpoint without user info, query or fragment: safe to log.</summary>
    private static string Describe(Uri endpoint) => endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private string Signals() => (_otlp.Traces, _otlp.Metrics) switch
    {
        (true, true) => "traces and metrics",
        (true, false) => "traces",
        (false, true) => "metrics",
        _ => "nothing",
    };
}
