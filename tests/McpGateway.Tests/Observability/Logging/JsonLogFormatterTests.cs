using System.Diagnostics;
using System.Text.Json;
using McpGateway.Observability.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace McpGateway.Tests.Observability.Logging;

/// <summary>The <c>mcp-json</c> formatter, driven through a real <see cref="LoggerFactory"/> so states and scopes are the ones the gateway produces.</summary>
public sealed partial class JsonLogFormatterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2));

    private static readonly string[] HeaderKeys = ["timestamp", "level", "event", "event_id", "category", "message"];

    // The per-request event another part of the gateway writes (id 3100): the shape the issue asks the log to have.
    [LoggerMessage(3100, LogLevel.Information, "{Method} {Tool} on {Server} for {ClientId} ({Tenant}, view {View}): {Status} in {DurationMs} ms (trace {TraceId})")]
    private static partial void RequestCompleted(
        ILogger logger, string clientId, string tenant, string view, string server, string method, string? tool, double durationMs, string status, string traceId);

    [LoggerMessage(1002, LogLevel.Warning, "[{Server}] started process {ProcessId}")]
    private static partial void ProcessStarted(ILogger logger, string server, int processId);

    [Fact]
    public void Write_RequestEvent_WritesHeaderThenSnakeCasePropertiesInOrder()
    {
        var (logger, output) = CreateLogger();

        RequestCompleted(logger, "agent-7", "blue", "code-review", "github", "tools/call", "get_pr", 12.5, "ok", "4bf92f3577b34da6a3ce929d0e0e4736");

        var line = SingleLine(output);
        Keys(line).Should().Equal(
            [.. HeaderKeys, "client_id", "tenant", "view", "server", "method", "tool", "duration_ms", "status", "trace_id"]);
        line.GetProperty("timestamp").GetString().Should().Be("2026-01-02T03:04:05.678Z", "the injected clock's instant in UTC with milliseconds");
        line.GetProperty("level").GetString().Should().Be("info");
        line.GetProperty("event").GetString().Should().Be(nameof(RequestCompleted));
        line.GetProperty("event_id").GetInt32().Should().Be(3100);
        line.GetProperty("category").GetString().Should().Be("McpGateway.Test");
        line.GetProperty("message").GetString().Should().Be("tools/call get_pr on github for agent-7 (blue, view code-review): ok in 12.5 ms (trace 4bf92f3577b34da6a3ce929d0e0e4736)");
        line.GetProperty("client_id").GetString().Should().Be("agent-7");
        line.GetProperty("duration_ms").ValueKind.Should().Be(JsonValueKind.Number);
        line.GetProperty("duration_ms").GetDouble().Should().Be(12.5);
        line.GetProperty("trace_id").GetString().Should().Be("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    [Fact]
    public void Write_SeveralEntries_OneJsonObjectPerLine()
    {
        var (logger, output) = CreateLogger();

        ProcessStarted(logger, "demo", 4242);
        logger.LogInformation("second");
        logger.LogError(new EventId(7, "Third"), "third\nwith a newline");

        var lines = Lines(output);
        lines.Should().HaveCount(3);
        lines.Select(l => l.GetProperty("message").GetString()).Should().Equal("[demo] started process 4242", "second", "third\nwith a newline");
        lines[0].GetProperty("process_id").GetInt32().Should().Be(4242);
        lines[0].GetProperty("level").GetString().Should().Be("warn");
    }

    [Theory]
    [InlineData(LogLevel.Trace, "trace")]
    [InlineData(LogLevel.Debug, "debug")]
    [InlineData(LogLevel.Information, "info")]
    [InlineData(LogLevel.Warning, "warn")]
    [InlineData(LogLevel.Error, "error")]
    [InlineData(LogLevel.Critical, "fatal")]
    public void Write_Level_UsesShortLowerCaseName(LogLevel level, string expected)
    {
        var (logger, output) = CreateLogger();

        logger.Log(level, "x");

        SingleLine(output).GetProperty("level").GetString().Should().Be(expected);
    }

    [Fact]
    public void Write_EventIdWithoutName_FallsBackToTheId()
    {
        var (logger, output) = CreateLogger();

        logger.LogInformation(new EventId(42), "unnamed");

        var line = SingleLine(output);
        line.GetProperty("event").GetString().Should().Be("42");
        line.GetProperty("event_id").GetInt32().Should().Be(42);
    }

    [Fact]
    public void Write_QuotesNewlinesAndControlCharacters_AreEscapedOnOneLineAndRoundTrip()
    {
        var (logger, output) = CreateLogger();
        const string nasty = "say \"hi\" \\ back\r\nnext\tline \u0001\u001b[31m red \u007f é ✓ </script>";

        logger.LogInformation("line: {Line}", nasty);

        output.ToString().Count(c => c == '\n').Should().Be(1, "the whole entry is one line");
        output.ToString().Should().NotContain("\u0001").And.NotContain("\u001b").And.NotContain("\r");
        var line = SingleLine(output);
        line.GetProperty("message").GetString().Should().Be("line: " + nasty);
        line.GetProperty("line").GetString().Should().Be(nasty);
    }

    [Fact]
    public void Write_LoneSurrogateFromUntrustedText_StillWritesValidJson()
    {
        var (logger, output) = CreateLogger();

        logger.LogInformation("[{Server}] stderr: {Line}", "demo", "broken \ud800 half");

        SingleLine(output).GetProperty("line").GetString().Should().Be("broken \uFFFD half", "an unpaired surrogate cannot be UTF-8; it becomes the replacement character");
    }

    [Fact]
    public void Write_Values_KeepTheirJsonKinds()
    {
        var (logger, output) = CreateLogger();
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

        logger.LogInformation(
            "{Count} {Big} {Ratio} {Price} {Enabled} {Missing} {Elapsed} {At} {Level} {NotANumber} {Names} {Id}",
            3, long.MaxValue, 0.25, 1.5m, true, null, TimeSpan.FromMilliseconds(1500), at, LogLevel.Warning, double.NaN, new[] { "a", "b" }, Guid.Empty);

        var line = SingleLine(output);
        line.GetProperty("count").GetInt32().Should().Be(3);
        line.GetProperty("big").GetInt64().Should().Be(long.MaxValue);
        line.GetProperty("ratio").GetDouble().Should().Be(0.25);
        line.GetProperty("price").GetDecimal().Should().Be(1.5m);
        line.GetProperty("enabled").ValueKind.Should().Be(JsonValueKind.True);
        line.GetProperty("missing").ValueKind.Should().Be(JsonValueKind.Null);
        line.GetProperty("elapsed").GetString().Should().Be("00:00:01.5000000");
        line.GetProperty("at").GetString().Should().Be("2026-03-04T05:06:07+00:00");
        line.GetProperty("level").GetString().Should().Be("info", "the entry's level, not the property named Level");
        line.GetProperty("attr_level").GetString().Should().Be("Warning");
        line.GetProperty("not_a_number").GetString().Should().Be("NaN", "JSON has no NaN");
        line.GetProperty("names").EnumerateArray().Select(e => e.GetString()).Should().Equal("a", "b");
        line.GetProperty("id").GetString().Should().Be(Guid.Empty.ToString());
    }

    [Theory]
    [InlineData("Server", "server")]
    [InlineData("DurationMs", "duration_ms")]
    [InlineData("ClientId", "client_id")]
    [InlineData("TraceId", "trace_id")]
    [InlineData("ProcessId", "process_id")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("server", "server")]
    [InlineData("Message", "attr_message")]
    [InlineData("EventId", "attr_event_id")]
    [InlineData("Exception", "attr_exception")]
    public void KeyFor_PropertyName_IsSnakeCaseAndNeverAFixedKey(string name, string expected) =>
        JsonLogFormatter.KeyFor(name).Should().Be(expected);

    [Fact]
    public void Write_PropertiesNamedLikeFixedKeys_ArePrefixedSoNoKeyRepeats()
    {
        var (logger, output) = CreateLogger();

        logger.LogInformation("{Message} {Timestamp} {Category} {Event} {Scopes}", "m", "t", "c", "e", "s");

        var line = SingleLine(output);
        Keys(line).Should().Equal([.. HeaderKeys, "attr_message", "attr_timestamp", "attr_category", "attr_event", "attr_scopes"]);
        line.GetProperty("message").GetString().Should().Be("m t c e s");
        line.GetProperty("attr_message").GetString().Should().Be("m");
    }

    [Fact]
    public void Write_SameNameTwiceInATemplate_FirstValueWins()
    {
        var (logger, output) = CreateLogger();

        logger.LogInformation("{Server} then {Server}", "first", "second");

        var line = SingleLine(output);
        Keys(line).Count(k => k == "server").Should().Be(1);
        line.GetProperty("server").GetString().Should().Be("first");
    }

    [Fact]
    public void Write_Exception_IsTheLastKeyWithTypeMessageStackAndInner()
    {
        var (logger, output) = CreateLogger();
        Exception thrown;
        try
        {
            ThrowNested();
            throw new UnreachableException();
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        logger.LogError(new EventId(1007, "UpstreamDisposeFailed"), thrown, "[{Server}] closing the upstream failed", "demo");

        var line = SingleLine(output);
        Keys(line).Should().Equal([.. HeaderKeys, "server", "exception"]);
        var exception = line.GetProperty("exception");
        exception.GetProperty("type").GetString().Should().Be("System.InvalidOperationException");
        exception.GetProperty("message").GetString().Should().Be("outer");
        exception.GetProperty("stack").GetString().Should().Contain(nameof(ThrowNested));
        exception.GetProperty("inner").GetProperty("type").GetString().Should().Be("System.IO.IOException");
        exception.GetProperty("inner").GetProperty("message").GetString().Should().Be("inner \"quoted\"");
    }

    [Fact]
    public void Write_ExceptionWithoutMessage_IsStillWritten()
    {
        var (logger, output) = CreateLogger();

        logger.Log(LogLevel.Error, new EventId(9), "state", new TimeoutException("late"), (_, _) => null!);

        var line = SingleLine(output);
        line.GetProperty("message").GetString().Should().BeEmpty();
        line.GetProperty("exception").GetProperty("stack").ValueKind.Should().Be(JsonValueKind.Null, "it was never thrown");
    }

    [Fact]
    public void Write_InsideAnActivity_AddsItsTraceAndSpanIdsAfterTheProperties()
    {
        var (logger, output) = CreateLogger();
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        ProcessStarted(logger, "demo", 1);

        var line = SingleLine(output);
        Keys(line).Should().Equal([.. HeaderKeys, "server", "process_id", "trace_id", "span_id"]);
        line.GetProperty("trace_id").GetString().Should().Be(activity.TraceId.ToHexString());
        line.GetProperty("span_id").GetString().Should().Be(activity.SpanId.ToHexString());
    }

    [Fact]
    public void Write_TraceIdPropertyInsideAnActivity_KeepsThePropertyAndWritesTheKeyOnce()
    {
        var (logger, output) = CreateLogger();
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        RequestCompleted(logger, "c", "t", "v", "s", "tools/call", null, 1, "ok", "0af7651916cd43dd8448eb211c80319c");

        var line = SingleLine(output);
        Keys(line).Count(k => k == "trace_id").Should().Be(1);
        line.GetProperty("trace_id").GetString().Should().Be("0af7651916cd43dd8448eb211c80319c");
        line.GetProperty("span_id").GetString().Should().Be(activity.SpanId.ToHexString());
        line.GetProperty("tool").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void Write_NoActivity_HasNoTraceKeys()
    {
        var (logger, output) = CreateLogger();
        Activity.Current = null;

        logger.LogInformation("quiet");

        Keys(SingleLine(output)).Should().Equal(HeaderKeys);
    }

    [Fact]
    public void Write_Scopes_AddTheirPropertiesAfterTheEntrysAndTextScopesAsAList()
    {
        var (logger, output) = CreateLogger(includeScopes: true);

        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestId"] = "r-1", ["Server"] = "from-scope", ["Attempt"] = 2 }))
        using (logger.BeginScope("outer text"))
        using (logger.BeginScope("view {View}", "code-review"))
        {
            ProcessStarted(logger, "demo", 5);
        }

        var line = SingleLine(output);
        Keys(line).Should().Equal([.. HeaderKeys, "server", "process_id", "request_id", "attempt", "view", "scopes"]);
        line.GetProperty("server").GetString().Should().Be("demo", "the entry's own property wins over a scope's");
        line.GetProperty("attempt").GetInt32().Should().Be(2);
        line.GetProperty("view").GetString().Should().Be("code-review");
        line.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()).Should().Equal("outer text");
    }

    [Fact]
    public void Write_ScopesOff_WritesNoScopeProperties()
    {
        var (logger, output) = CreateLogger(includeScopes: false);

        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestId"] = "r-1" }))
        {
            logger.LogInformation("inside");
        }

        Keys(SingleLine(output)).Should().Equal(HeaderKeys);
    }

    [Fact]
    public void Write_NoMessageAndNoException_WritesNothing()
    {
        var (logger, output) = CreateLogger();

        logger.Log(LogLevel.Information, new EventId(1), "state", null, (_, _) => null!);

        output.ToString().Should().BeEmpty();
    }

    private static void ThrowNested()
    {
        try
        {
            throw new IOException("inner \"quoted\"");
        }
        catch (IOException inner)
        {
            throw new InvalidOperationException("outer", inner);
        }
    }

    // ---- helpers ----

    private static (ILogger Logger, StringWriter Output) CreateLogger(bool includeScopes = true)
    {
        var output = new StringWriter();
        var formatter = new JsonLogFormatter(new FixedOptionsMonitor(new JsonLogFormatterOptions { IncludeScopes = includeScopes }), new FixedTimeProvider(Now));
        var factory = LoggerFactory.Create(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(new FormattingLoggerProvider(formatter, output));
        });
        return (factory.CreateLogger("McpGateway.Test"), output);
    }

    private static List<JsonElement> Lines(StringWriter output)
    {
        var text = output.ToString();
        text.Should().EndWith("\n");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ParseObject)];
    }

    private static JsonElement SingleLine(StringWriter output) => Lines(output).Should().ContainSingle().Subject;

    /// <summary>Parses one line; it must be a JSON object with no key twice (System.Text.Json would accept duplicates).</summary>
    internal static JsonElement ParseObject(string line)
    {
        using var document = JsonDocument.Parse(line);
        document.RootElement.ValueKind.Should().Be(JsonValueKind.Object, line);
        var element = document.RootElement.Clone();
        Keys(element).Should().OnlyHaveUniqueItems(line);
        return element;
    }

    internal static List<string> Keys(JsonElement line) => [.. line.EnumerateObject().Select(p => p.Name)];

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class FixedOptionsMonitor(JsonLogFormatterOptions options) : IOptionsMonitor<JsonLogFormatterOptions>
    {
        public JsonLogFormatterOptions CurrentValue => options;

        public JsonLogFormatterOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<JsonLogFormatterOptions, string?> listener) => null;
    }

    /// <summary>What the console logger does with a formatter, synchronously into a <see cref="StringWriter"/>.</summary>
    private sealed class FormattingLoggerProvider(JsonLogFormatter formatter, StringWriter output) : ILoggerProvider, ISupportExternalScope
    {
        private readonly Lock _gate = new();
        private IExternalScopeProvider? _scopes;

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public ILogger CreateLogger(string categoryName) => new FormattingLogger(this, categoryName);

        private void Write<TState>(in LogEntry<TState> entry)
        {
            lock (_gate)
            {
                formatter.Write(entry, _scopes, output);
            }
        }

        public void Dispose()
        {
        }

        private sealed class FormattingLogger(FormattingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
        }
    }
}
