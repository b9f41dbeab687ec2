using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Observability;

/// <summary>The test collector's protobuf decoding, against bytes written by hand from the OTLP .proto field numbers.</summary>
public sealed class OtlpMessagesTests
{
    [Fact]
    public void DecodeTraces_HandEncodedRequest_ReadsIdsNameKindScopeAttributesAndResource()
    {
        var traceId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var span = Concat(
            Bytes(1, traceId),
            Bytes(2, [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x11]),
            Bytes(4, [1, 2, 3, 4, 5, 6, 7, 8]),
            Text(5, "tools/call"),
            Varint(6, 2),
            Fixed64(7, 1_700_000_000_000_000_000),
            Message(9, KeyValue("mcp.count", Varint(3, 42))),
            Message(9, KeyValue("mcp.ok", Varint(2, 1))),
            Message(9, KeyValue("mcp.ratio", Fixed64(4, BitConverter.DoubleToUInt64Bits(1.5)))),
            Fixed32(16, 0x101));
        var scopeSpans = Concat(Message(1, Text(1, "McpGateway")), Message(2, span));
        // The resource after its spans: field order on the wire is free.
        var resourceSpans = Concat(Message(2, scopeSpans), Message(1, Message(1, KeyValue("service.name", Text(1, "svc")))));

        var spans = OtlpMessages.DecodeTraces(Message(1, resourceSpans));

        var decoded = spans.Should().ContainSingle().Subject;
        decoded.TraceId.Should().Be("0102030405060708090a0b0c0d0e0f10");
        decoded.SpanId.Should().Be("aabbccddeeff0011");
        decoded.ParentSpanId.Should().Be("0102030405060708");
        decoded.Name.Should().Be("tools/call");
        decoded.Kind.Should().Be(SpanKind.Server);
        decoded.Scope.Should().Be("McpGateway");
        decoded.Attributes.Should().Equal(new Dictionary<string, string> { ["mcp.count"] = "42", ["mcp.ok"] = "true", ["mcp.ratio"] = "1.5" });
        decoded.Resource.Should().Equal(new Dictionary<string, string> { ["service.name"] = "svc" });
    }

    [Fact]
    public void DecodeMetrics_HandEncodedRequest_ReadsNamesScopeAndResource()
    {
        var metric = Concat(Text(1, "mcp_gateway_requests_total"), Text(2, "requests"), Message(7, Message(1, Fixed64(4, 0))));
        var scopeMetrics = Concat(Message(1, Text(1, "McpGateway")), Message(2, metric), Message(2, Text(1, "second")));
        var resourceMetrics = Concat(Message(1, Message(1, KeyValue("service.name", Text(1, "svc")))), Message(2, scopeMetrics));

        var metrics = OtlpMessages.DecodeMetrics(Message(1, resourceMetrics));

        metrics.Select(m => m.Name).Should().Equal("mcp_gateway_requests_total", "second");
        metrics.Should().OnlyContain(m => m.Scope == "McpGateway" && m.Resource["service.name"] == "svc");
    }

    [Fact]
    public void DecodeTraces_TruncatedField_Throws()
    {
        var truncated = Message(1, Message(2, Message(2, Text(5, "name"))))[..^2];

        var decode = () => OtlpMessages.DecodeTraces(truncated);

        decode.Should().Throw<FormatException>();
    }

    // ---- a tiny protobuf writer for the tests ----

    private static byte[] KeyValue(string key, byte[] anyValue) => Concat(Text(1, key), Message(2, anyValue));

    private static byte[] Text(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Message(int field, byte[] body) => Bytes(field, body);

    private static byte[] Bytes(int field, byte[] body) => Concat(Tag(field, 2), EncodeVarint((ulong)body.Length), body);

    private static byte[] Varint(int field, ulong value) => Concat(Tag(field, 0), EncodeVarint(value));

    private static byte[] Fixed64(int field, ulong value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return Concat(Tag(field, 1), bytes);
    }

    private static byte[] Fixed32(int field, uint value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Concat(Tag(field, 5), bytes);
    }

    private static byte[] Tag(int field, int wireType) => EncodeVarint((ulong)((field << 3) | wireType));

    private static byte[] EncodeVarint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
