using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace McpGateway.Observability.Logging;

/// <summary>Options of the <c>mcp-json</c> console formatter. Only <see cref="ConsoleFormatterOptions.IncludeScopes"/> is used: timestamps are always UTC with milliseconds.</summary>
internal sealed class JsonLogFormatterOptions : ConsoleFormatterOptions
{
}

/// <summary>
/// The <c>mcp-json</c> console formatter: one JSON object per line, keys in a fixed order —
/// <c>timestamp level event event_id category message</c>, the entry's structured properties in snake_case, scope
/// properties, <c>trace_id</c>/<c>span_id</c> of <see cref="Activity.Current"/> unless already given, <c>exception</c>.
/// </summary>
/// <remarks>
/// No key appears twice: a property named like one of the fixed keys (or <c>scopes</c>) is written as
/// <c>attr_{name}</c>; otherwise the first writer of a key wins (the entry's own properties before scopes, scopes
/// before the ambient activity).
/// </remarks>
internal sealed class JsonLogFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "mcp-json";

    /// <summary>The prefix of a property whose name collides with a fixed key.</summary>
    public const string CollisionPrefix = "attr_";

    private const string OriginalFormatKey = "{OriginalFormat}";

    private const int MaxCachedNames = 1024;

    private const int MaxInnerExceptionDepth = 4;

    private static readonly JsonEncodedText TimestampKey = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText LevelKey = JsonEncodedText.Encode("level");
    private static readonly JsonEncodedText EventKey = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText EventIdKey = JsonEncodedText.Encode("event_id");
    private static readonly JsonEncodedText CategoryKey = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText MessageKey = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText ScopesKey = JsonEncodedText.Encode("scopes");
    private static readonly JsonEncodedText ExceptionKey = JsonEncodedText.Encode("exception");
    private static readonly JsonEncodedText TypeKey = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText StackKey = JsonEncodedText.Encode("stack");
    private static readonly JsonEncodedText InnerKey = JsonEncodedText.Encode("inner");

    private const string TraceIdKey = "trace_id";
    private const string SpanIdKey = "span_id";

    /// <summary>Keys the formatter itself writes around the properties.</summary>
    private static readonly HashSet<string> FixedKeys = new(StringComparer.Ordinal)
    {
        "timestamp", "level", "event", "event_id", "category", "message", "scopes", "exception",
    };

    // Property names come from message templates: a small, fixed set per process, so converting each once is enough.
    private static readonly ConcurrentDictionary<string, string> KeyCache = new(StringComparer.Ordinal);

    // Relaxed: log pipelines read these lines, not browsers; quotes, backslashes and control characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static LineBuffer? t_buffer;

    private readonly TimeProvider _timeProvider;
    private readonly IDisposable? _optionsReload;
    private JsonLogFormatterOptions _options;

    public JsonLogFormatter(IOptionsMonitor<JsonLogFormatterOptions> options, TimeProvider timeProvider)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider;
        _options = options.CurrentValue;
        _optionsReload = options.OnChange(changed => _options = changed);
    }

    public void Dispose() => _optionsReload?.Dispose();

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        // A value's ToString that logs would re-enter on this thread: it gets a buffer of its own.
        var buffer = t_buffer is { InUse: false } cached ? cached : new LineBuffer();
        t_buffer ??= buffer;
        buffer.Begin();
        try
        {
            WriteLine(buffer, logEntry, message, scopeProvider);
            buffer.CopyTo(textWriter);
        }
        finally
        {
            buffer.End();
        }
    }

    private void WriteLine<TState>(LineBuffer buffer, in LogEntry<TState> logEntry, string? message, IExternalScopeProvider? scopeProvider)
    {
        var writer = buffer.Writer;
        writer.WriteStartObject();
        WriteTimestamp(writer, _timeProvider.GetUtcNow());
        writer.WriteString(LevelKey, LevelName(logEntry.LogLevel));
        var eventId = logEntry.EventId;
        if (string.IsNullOrEmpty(eventId.Name))
        {
            writer.WriteString(EventKey, eventId.Id.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteString(EventKey, eventId.Name);
        }

        writer.WriteNumber(EventIdKey, eventId.Id);
        writer.WriteString(CategoryKey, logEntry.Category);
        writer.WriteString(MessageKey, message ?? string.Empty);

        WriteProperties(buffer, logEntry.State);
        if (_options.IncludeScopes && scopeProvider is not null)
        {
            WriteScopes(buffer, scopeProvider);
        }

        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            if (buffer.Claim(TraceIdKey))
            {
                writer.WriteString(TraceIdKey, activity.TraceId.ToHexString());
            }

            if (buffer.Claim(SpanIdKey))
            {
                writer.WriteString(SpanIdKey, activity.SpanId.ToHexString());
            }
        }

        if (logEntry.Exception is { } exception)
        {
            writer.WritePropertyName(ExceptionKey);
            WriteException(writer, exception, 0);
        }

        writer.WriteEndObject();
    }

    private static void WriteProperties(LineBuffer buffer, object? state)
    {
        switch (state)
        {
            case IReadOnlyList<KeyValuePair<string, object?>> list:
                for (var i = 0; i < list.Count; i++)
                {
                    WriteProperty(buffer, list[i].Key, list[i].Value);
                }

                break;
            case IEnumerable<KeyValuePair<string, object?>> sequence:
                foreach (var (key, value) in sequence)
                {
                    WriteProperty(buffer, key, value);
                }

                break;
        }
    }

    private static void WriteScopes(LineBuffer buffer, IExternalScopeProvider scopeProvider)
    {
        scopeProvider.ForEachScope(static (scope, buffer) =>
        {
            if (scope is IEnumerable<KeyValuePair<string, object?>>)
            {
                WriteProperties(buffer, scope);
            }
            else if (scope?.ToString() is { } text)
            {
                buffer.PlainScopes.Add(text);
            }
        }, buffer);

        // Scopes without properties (BeginScope("text")) have nowhere else to go.
        if (buffer.PlainScopes.Count > 0 && buffer.Claim("scopes"))
        {
            buffer.Writer.WriteStartArray(ScopesKey);
            foreach (var text in buffer.PlainScopes)
            {
                buffer.Writer.WriteStringValue(text);
            }

            buffer.Writer.WriteEndArray();
        }
    }

    private static void WriteProperty(LineBuffer buffer, string name, object? value)
    {
        if (name == OriginalFormatKey)
        {
            return;
        }

        var key = KeyFor(name);
        if (!buffer.Claim(key))
        {
            return;
        }

        buffer.Writer.WritePropertyName(key);
        WriteValue(buffer.Writer, value, allowArray: true);
    }

    /// <summary>The JSON key of a property: snake_case, prefixed when it would collide with a fixed key.</summary>
    internal static string KeyFor(string name)
    {
        if (KeyCache.TryGetValue(name, out var key))
        {
            return key;
        }

        key = JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
        if (FixedKeys.Contains(key))
        {
            key = CollisionPrefix + key;
        }

        if (KeyCache.Count < MaxCachedNames)
        {
            KeyCache.TryAdd(name, key);
        }

        return key;
    }

    /// <summary>Numbers and booleans stay JSON numbers and booleans; everything else is invariant-culture text.</summary>
    private static void WriteValue(Utf8JsonWriter writer, object? value, bool allowArray)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case uint number:
                writer.WriteNumberValue(number);
                break;
            case ulong number:
                writer.WriteNumberValue(number);
                break;
            case short number:
                writer.WriteNumberValue(number);
                break;
            case ushort number:
                writer.WriteNumberValue(number);
                break;
            case byte number:
                writer.WriteNumberValue(number);
                break;
            case sbyte number:
                writer.WriteNumberValue(number);
                break;
            case TimeSpan duration:
                writer.WriteStringValue(duration.ToString("c", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset instant:
                writer.WriteStringValue(instant);
                break;
            case DateTime instant:
                writer.WriteStringValue(instant);
                break;
            case Enum member:
                writer.WriteStringValue(member.ToString());
                break;
            case IEnumerable items when allowArray:
                // One level only: nested collections become text, so a self-referencing value cannot recurse.
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item, allowArray: false);
                }

                writer.WriteEndArray();
                break;
            case IFormattable formattable:
                writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    private static void WriteException(Utf8JsonWriter writer, Exception exception, int depth)
    {
        writer.WriteStartObject();
        writer.WriteString(TypeKey, exception.GetType().FullName);
        writer.WriteString(MessageKey, exception.Message);
        writer.WriteString(StackKey, exception.StackTrace);
        if (exception.InnerException is { } inner && depth < MaxInnerExceptionDepth)
        {
            writer.WritePropertyName(InnerKey);
            WriteException(writer, inner, depth + 1);
        }

        writer.WriteEndObject();
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, DateTimeOffset now)
    {
        Span<char> text = stackalloc char[32];
        now.UtcDateTime.TryFormat(text, out var length, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
        writer.WriteString(TimestampKey, text[..length]);
    }

    internal static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "none",
    };

    /// <summary>One thread's reusable line: the UTF-8 buffer, its writer, the keys written so far.</summary>
    private sealed class LineBuffer
    {
        private readonly ArrayBufferWriter<byte> _bytes = new(1024);
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
        private char[] _chars = new char[1024];

        public LineBuffer() => Writer = new Utf8JsonWriter(_bytes, WriterOptions);

        public Utf8JsonWriter Writer { get; }

        public List<string> PlainScopes { get; } = [];

        public bool InUse { get; private set; }

        public void Begin()
        {
            InUse = true;
            _bytes.ResetWrittenCount();
            Writer.Reset(_bytes);
            _keys.Clear();
            PlainScopes.Clear();
        }

        public void End()
        {
            InUse = false;

            // Do not keep a huge line's buffers alive on the thread.
            if (_chars.Length > 64 * 1024)
            {
                _chars = new char[1024];
            }
        }

        /// <summary>True the first time a key is claimed on this line.</summary>
        public bool Claim(string key) => _keys.Add(key);

        public void CopyTo(TextWriter textWriter)
        {
            Writer.Flush();
            var bytes = _bytes.WrittenSpan;
            var needed = Encoding.UTF8.GetMaxCharCount(bytes.Length);
            if (_chars.Length < needed)
            {
                _chars = new char[needed];
            }

            var count = Encoding.UTF8.GetChars(bytes, _chars);
            textWriter.Write(_chars, 0, count);
            textWriter.Write(Environment.NewLine);
        }
    }
}
