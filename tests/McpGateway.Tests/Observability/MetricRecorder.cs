using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using McpGateway.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Observability;

/// <summary>
/// Listens to the instruments of one app's gateway meter only (selected by <see cref="Meter.Scope"/>, the app's
/// <see cref="IMeterFactory"/>), so gateways of other tests running in parallel do not add to its numbers.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();
    private readonly List<(Func<RecordedMeasurement, bool> Match, TaskCompletionSource Signal)> _waiters = [];

    public MetricRecorder(IServiceProvider services)
    {
        var scope = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyCollection<RecordedMeasurement> Measurements => _measurements;

    /// <summary>Every measurement of an instrument whose tags include all of <paramref name="tags"/>.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && m.Has(tags)).ToList();

    public double Sum(string instrument, params (string Key, string Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    /// <summary>Completes once a matching measurement is (or was already) recorded.</summary>
    public Task WaitForAsync(string instrument, params (string Key, string Value)[] tags)
    {
        bool Match(RecordedMeasurement m) => m.Instrument == instrument && m.Has(tags);
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (_measurements.Any(Match))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((Match, signal));
        }

        return signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Reads the observable gauges now and returns what they reported for <paramref name="instrument"/>.</summary>
    public IReadOnlyList<RecordedMeasurement> Observe(string instrument, params (string Key, string Value)[] tags)
    {
        var before = _measurements.Count;
        _listener.RecordObservableInstruments();
        return _measurements.Skip(before).Where(m => m.Instrument == instrument && m.Has(tags)).ToList();
    }

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        var measurement = new RecordedMeasurement(instrument.Name, instrument.Unit, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy);
        lock (_waiters)
        {
            _measurements.Enqueue(measurement);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(measurement))
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}

public sealed record RecordedMeasurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, string?> Tags)
{
    public bool Has((string Key, string Value)[] tags) => tags.All(t => Tags.TryGetValue(t.Key, out var value) && value == t.Value);

    public override string ToString() => $"{Instrument}={Value} {{{string.Join(", ", Tags.Select(t => $"{t.Key}={t.Value}"))}}}";
}
