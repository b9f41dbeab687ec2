using System.Security.Cryptography;
using System.Threading.Channels;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Audit;

/// <summary>
/// The audit trail's writer: the request path only enqueues (<see cref="Record"/>); a background loop writes batches in
/// one transaction each and purges records past <c>audit.retention</c>. A graceful stop writes everything queued. When
/// the database is unreachable a batch is retried, then counted as dropped and logged — the gateway keeps serving.
/// </summary>
internal sealed class AuditLog : BackgroundService
{
    private const int MaxBatch = 500;

    /// <summary>How long the writer lets records gather before a write: one insert per call would cost more than the call.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    private readonly AuditOptions _options;
    private readonly EfAuditStore _store;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<AuditRecord> _queue;
    private long _dropped;
    private long _written;

    public AuditLog(IGatewayConfigProvider config, EfAuditStore store, GatewayMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = config.Current.Audit;
        _store = store;
        _metrics = metrics;
        _time = time;
        _logger = loggerFactory.CreateLogger("McpGateway.Audit");
        _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public bool Enabled => _options.Enabled;

    public AuditOptions Options => _options;

    public TimeProvider Time => _time;

    /// <summary>A new record id: time-ordered hex (milliseconds) plus randomness, unique across replicas.</summary>
    public static string NextId(DateTimeOffset time) => $"{time.ToUnixTimeMilliseconds():x12}{RandomNumberGenerator.GetHexString(12, lowercase: true)}";

    /// <summary>Queues a record without waiting; a full queue drops it (counted and logged).</summary>
    public void Record(AuditRecord record)
    {
        _metrics.RecordAudit(record.Kind, record.Outcome);
        if (!_queue.Writer.TryWrite(record))
        {
            _metrics.RecordAuditDropped();
            if (Interlocked.Increment(ref _dropped) is 1 or 1000 or 100_000)
            {
                GatewayLog.AuditQueueFull(_logger, _options.QueueCapacity, Volatile.Read(ref _dropped));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // No new records after this; the loop drains what is queued, then ends.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>(MaxBatch);
        var nextPurge = _time.GetUtcNow();
        var reader = _queue.Reader;

        // Not cancelled by stoppingToken: the stop completes the queue, and what it held still has to be written.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // Gather for a moment (a stop cuts it short: the queue completes and is written at once).
            await Task.WhenAny(Task.Delay(Linger, _time, CancellationToken.None), reader.Completion);
            while (batch.Count < MaxBatch && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            await WriteAsync(batch);
            batch.Clear();
            if (_options.Retention is { } retention && _time.GetUtcNow() >= nextPurge)
            {
                nextPurge = _time.GetUtcNow() + PurgeEvery;
                await PurgeAsync(_time.GetUtcNow() - retention);
            }
        }
    }

    private async Task WriteAsync(List<AuditRecord> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _store.AppendAsync(batch, CancellationToken.None);
                _written += batch.Count;
                GatewayLog.AuditWritten(_logger, batch.Count, _written);
                return;
            }
            catch (Exception ex) when (ex is Microsoft.EntityFrameworkCore.DbUpdateException or System.Data.Common.DbException or InvalidOperationException or IOException)
            {
                if (attempt == 3)
                {
                    GatewayLog.AuditWriteFailed(_logger, batch.Count, ex.Message);
                    _metrics.RecordAuditDropped(batch.Count);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), _time);
            }
        }
    }

    private async Task PurgeAsync(DateTimeOffset before)
    {
        try
        {
            var purged = await _store.PurgeAsync(before, CancellationToken.None);
            if (purged > 0)
            {
                GatewayLog.AuditPurged(_logger, purged, before);
            }
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            GatewayLog.AuditWriteFailed(_logger, 0, "purge: " + ex.Message);
        }
    }
}
