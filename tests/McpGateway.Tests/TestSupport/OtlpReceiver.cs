using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
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

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", context => receiver.ReceiveAsync(context, body => receiver._spans.AddRange(OtlpMessages.DecodeTraces(body))));
        app.MapPost("/v1/metrics", context => receiver.ReceiveAsync(context, body => receiver._metrics.AddRange(OtlpMessages.DecodeMetrics(body))));
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

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        lock (_gate)
        {
            _requests.Add((context.Request.Path.Value ?? string.Empty, new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value))));
            decode(buffer.ToArray());
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(this))
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }

        // An empty Export*ServiceResponse: everything accepted.
        context.Response.ContentType = ProtobufMediaType;
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
