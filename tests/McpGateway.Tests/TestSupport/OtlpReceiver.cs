using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// A small OTLP/HTTP collector (protobuf bodies) on Kestrel, loopback, port 0: keeps every span and metric name it is
/// sent, and the headers of every export request, for tests to assert on.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string ProtobufMediaType = "application/x-protobuf";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<ExportedSpan> _spans = [];
    private readonly List<ExportedMetric> _metrics = [];
    private readonly List<(string Path, IHeaderDictionary Headers)> _requests = [];
    private readonly List<(Func<OtlpReceiver, bool> Condition, TaskCompletionSource Signal)> _waiters = [];

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base URL, as a gateway's <c>observability.otlp.endpoint</c> takes it.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ExportedSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    public IReadOnlyList<ExportedMetric> Metrics
    {
        get
        {
            lock (_gate)
            {
                return [.. _metrics];
            }
        }
    }

    /// <summary>Every export request: its path and headers.</summary>
    public IReadOnlyList<(string Path, IHeaderDictionary Headers)> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts an OTLP/HTTP receiver, or with <paramref name="grpc"/> an OTLP/gRPC one (HTTP/2 without TLS).</summary>
    public static async Task<OtlpReceiver> StartAsync(bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        Action<byte[]> traces = body => receiver._spans.AddRange(OtlpMessages.DecodeTraces(body));
        Action<byte[]> metrics = body => receiver._metrics.AddRange(OtlpMessages.DecodeMetrics(body));
        if (grpc)
        {
            // The gRPC method paths of collector/trace/v1/trace_service.proto and collector/metrics/v1/metrics_service.proto.
            app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", context => receiver.ReceiveGrpcAsync(context, traces));
            app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", context => receiver.ReceiveGrpcAsync(context, metrics));
        }
        else
        {
            app.MapPost("/v1/traces", context => receiver.ReceiveAsync(context, traces));
            app.MapPost("/v1/metrics", context => receiver.ReceiveAsync(context, metrics));
        }

        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>Completes when what was received satisfies <paramref name="condition"/> (checked on every export).</summary>
    public Task WaitForAsync(Func<OtlpReceiver, bool> condition, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(this))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, signal));
        }

        return signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    private async Task ReceiveAsync(HttpContext context, Action<byte[]> decode)
    {
        if (!string.Equals(context.Request.ContentType, ProtobufMediaType, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        Record(context, await ReadBodyAsync(context), decode);

        // An empty Export*ServiceResponse: everything accepted.
        context.Response.ContentType = ProtobufMediaType;
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// One unary gRPC call: the body is a length-prefixed message (1 byte compressed flag, 4 bytes big-endian length);
    /// the answer is an empty message and the trailer grpc-status 0.
    /// </summary>
    private async Task ReceiveGrpcAsync(HttpContext context, Action<byte[]> decode)
    {
        var body = await ReadBodyAsync(context);
        if (body.Length < 5 || body[0] != 0 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)) != body.Length - 5)
        {
            throw new InvalidOperationException($"not one uncompressed gRPC message ({body.Length} bytes)");
        }

        Record(context, body[5..], decode);
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private void Record(HttpContext context, byte[] body, Action<byte[]> decode)
    {
        lock (_gate)
        {
            _requests.Add((context.Request.Path.Value ?? string.Empty, new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value))));
            decode(body);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(this))
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
