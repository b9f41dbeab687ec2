using System.Globalization;

namespace McpGateway.Tests.TestSupport;

/// <summary>One span as an OTLP collector received it; ids are lower-case hex, attribute values their text.</summary>
public sealed record ExportedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    SpanKind Kind,
    string Scope,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource);

/// <summary>One metric as an OTLP collector received it (name and where it came from; data points are not decoded).</summary>
public sealed record ExportedMetric(string Name, string Scope, IReadOnlyDictionary<string, string> Resource);

/// <summary>Span.SpanKind of trace.proto.</summary>
public enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>
/// Decodes OTLP export requests. Field numbers are those of opentelemetry-proto: collector/*/v1/*_service.proto,
/// trace/v1/trace.proto, metrics/v1/metrics.proto, resource/v1/resource.proto and common/v1/common.proto.
/// </summary>
public static class OtlpMessages
{
    /// <summary>ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }</summary>
    public static List<ExportedSpan> DecodeTraces(ReadOnlySpan<byte> body) => ReadAll(body, resourceSpans => ReadResourceGroup(
        resourceSpans,
        scopeSpans => ReadScopeGroup(scopeSpans, ReadSpan, (span, scope) => span with { Scope = scope }),
        (span, resource) => span with { Resource = resource }));

    /// <summary>ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }</summary>
    public static List<ExportedMetric> DecodeMetrics(ReadOnlySpan<byte> body) => ReadAll(body, resourceMetrics => ReadResourceGroup(
        resourceMetrics,
        scopeMetrics => ReadScopeGroup(scopeMetrics, metric => new ExportedMetric(ReadName(metric), string.Empty, new Dictionary<string, string>()), (metric, scope) => metric with { Scope = scope }),
        (metric, resource) => metric with { Resource = resource }));

    /// <summary>Every <c>repeated ... = 1</c> group of an export request.</summary>
    private static List<T> ReadAll<T>(ReadOnlySpan<byte> body, Func<ReadOnlySpan<byte>, List<T>> readGroup)
    {
        var all = new List<T>();
        var reader = new ProtobufReader(body);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                all.AddRange(readGroup(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return all;
    }

    /// <summary>
    /// ResourceSpans / ResourceMetrics { Resource resource = 1; repeated ScopeSpans|ScopeMetrics = 2; string schema_url = 3; }.
    /// The resource may follow its scopes on the wire: collect both, then join.
    /// </summary>
    private static List<T> ReadResourceGroup<T>(ReadOnlySpan<byte> data, Func<ReadOnlySpan<byte>, List<T>> readScopeGroup, Func<T, IReadOnlyDictionary<string, string>, T> withResource)
    {
        var resource = new Dictionary<string, string>();
        var found = new List<T>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    ReadResource(reader.ReadLengthDelimited(), resource);
                    break;
                case (2, WireType.LengthDelimited):
                    found.AddRange(readScopeGroup(reader.ReadLengthDelimited()));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return found.ConvertAll(item => withResource(item, resource));
    }

    /// <summary>ScopeSpans / ScopeMetrics { InstrumentationScope scope = 1; repeated Span|Metric = 2; string schema_url = 3; }</summary>
    private static List<T> ReadScopeGroup<T>(ReadOnlySpan<byte> data, Func<ReadOnlySpan<byte>, T> readItem, Func<T, string, T> withScope)
    {
        var scope = string.Empty;
        var found = new List<T>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    scope = ReadName(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    found.Add(readItem(reader.ReadLengthDelimited()));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return found.ConvertAll(item => withScope(item, scope));
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
    //        SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
    //        repeated KeyValue attributes = 9; ...; Status status = 15; fixed32 flags = 16; }
    private static ExportedSpan ReadSpan(ReadOnlySpan<byte> data)
    {
        string traceId = string.Empty, spanId = string.Empty, parentSpanId = string.Empty, name = string.Empty;
        var kind = SpanKind.Unspecified;
        var attributes = new Dictionary<string, string>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    traceId = Convert.ToHexStringLower(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    spanId = Convert.ToHexStringLower(reader.ReadLengthDelimited());
                    break;
                case (4, WireType.LengthDelimited):
                    parentSpanId = Convert.ToHexStringLower(reader.ReadLengthDelimited());
                    break;
                case (5, WireType.LengthDelimited):
                    name = reader.ReadString();
                    break;
                case (6, WireType.Varint):
                    kind = (SpanKind)(int)reader.ReadVarint();
                    break;
                case (9, WireType.LengthDelimited):
                    ReadKeyValue(reader.ReadLengthDelimited(), attributes);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new ExportedSpan(traceId, spanId, parentSpanId, name, kind, string.Empty, attributes, new Dictionary<string, string>());
    }

    // Both messages whose name this reader needs carry it as field 1:
    // Metric { string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7; ... } }
    // InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; ... }
    private static string ReadName(ReadOnlySpan<byte> data)
    {
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                return reader.ReadString();
            }

            reader.Skip(wire);
        }

        return string.Empty;
    }

    // Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; ... }
    private static void ReadResource(ReadOnlySpan<byte> data, Dictionary<string, string> attributes)
    {
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                ReadKeyValue(reader.ReadLengthDelimited(), attributes);
            }
            else
            {
                reader.Skip(wire);
            }
        }
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    private static void ReadKeyValue(ReadOnlySpan<byte> data, Dictionary<string, string> into)
    {
        var key = string.Empty;
        var value = string.Empty;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    key = reader.ReadString();
                    break;
                case (2, WireType.LengthDelimited):
                    value = ReadAnyValue(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        into[key] = value;
    }

    // AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    //            ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
    // ArrayValue { repeated AnyValue values = 1; }  KeyValueList { repeated KeyValue values = 1; }
    private static string ReadAnyValue(ReadOnlySpan<byte> data)
    {
        var reader = new ProtobufReader(data);
        var text = string.Empty;
        while (reader.TryReadTag(out var field, out var wire))
        {
            text = (field, wire) switch
            {
                (1, WireType.LengthDelimited) => reader.ReadString(),
                (2, WireType.Varint) => reader.ReadVarint() != 0 ? "true" : "false",
                (3, WireType.Varint) => ((long)reader.ReadVarint()).ToString(CultureInfo.InvariantCulture),
                (4, WireType.Fixed64) => BitConverter.UInt64BitsToDouble(reader.ReadFixed64()).ToString("R", CultureInfo.InvariantCulture),
                (5, WireType.LengthDelimited) => "[" + string.Join(",", ReadRepeatedValues(reader.ReadLengthDelimited())) + "]",
                (6, WireType.LengthDelimited) => ReadKeyValueList(reader.ReadLengthDelimited()),
                (7, WireType.LengthDelimited) => Convert.ToHexStringLower(reader.ReadLengthDelimited()),
                _ => SkipAndKeep(ref reader, wire, text),
            };
        }

        return text;
    }

    private static List<string> ReadRepeatedValues(ReadOnlySpan<byte> data)
    {
        var values = new List<string>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                values.Add(ReadAnyValue(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return values;
    }

    private static string ReadKeyValueList(ReadOnlySpan<byte> data)
    {
        var entries = new Dictionary<string, string>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                ReadKeyValue(reader.ReadLengthDelimited(), entries);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return "{" + string.Join(",", entries.Select(e => $"{e.Key}={e.Value}")) + "}";
    }

    private static string SkipAndKeep(ref ProtobufReader reader, WireType wire, string text)
    {
        reader.Skip(wire);
        return text;
    }
}
