using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.TestSupport;

/// <summary>Keeps every log line the gateway writes so tests can assert on what an operator would see.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private IExternalScopeProvider? _scopes;
    private readonly List<(Func<LogLine, bool> Match, TaskCompletionSource<LogLine> Signal)> _waiters = [];

    public IReadOnlyCollection<LogLine> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    private List<object?>? CurrentScopes()
    {
        List<object?>? scopes = null;
        _scopes?.ForEachScope((scope, _) => (scopes ??= []).Add(scope), (object?)null);
        return scopes;
    }

    /// <summary>Completes when a matching line is (or was already) logged.</summary>
    public Task<LogLine> WaitForAsync(Func<LogLine, bool> match, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource<LogLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            var existing = _lines.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((match, signal));
        }

        return signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits for one of the gateway's own events (ASP.NET Core reuses the same numbers in its categories).</summary>
    public Task<LogLine> WaitForEventAsync(int eventId, Func<LogLine, bool>? match = null) =>
        WaitForAsync(l => l.IsGateway && l.EventId == eventId && (match?.Invoke(l) ?? true));

    public int CountEvents(int eventId) => _lines.Count(l => l.IsGateway && l.EventId == eventId);

    private void Add(LogLine line)
    {
        lock (_waiters)
        {
            _lines.Enqueue(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Signal.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogLine(category, logLevel, eventId.Id, formatter(state, exception), exception)
            {
                Properties = state as IReadOnlyList<KeyValuePair<string, object?>>,
                Scopes = owner.CurrentScopes(),
            });
    }
}

public sealed record LogLine(string Category, LogLevel Level, int EventId, string Message, Exception? Exception)
{
    /// <summary>The structured properties of the event (template holes and values), when the logger passed them.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>>? Properties { get; init; }

    public object? Property(string name) => Properties?.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>The logging scopes active when the line was written (e.g. ASP.NET Core's request scope).</summary>
    public IReadOnlyList<object?>? Scopes { get; init; }

    /// <summary>A value from the structured scopes, e.g. <c>RequestPath</c>; null when no scope has it.</summary>
    public object? ScopeValue(string name) => Scopes?.OfType<IEnumerable<KeyValuePair<string, object?>>>()
        .SelectMany(scope => scope).FirstOrDefault(p => p.Key == name).Value;

    public bool IsGateway => Category.StartsWith("McpGateway", StringComparison.Ordinal) || Category == "mcp-gateway";
}
