namespace McpGateway.Tests.TestSupport;

/// <summary>The protobuf wire types (encoding spec); groups (3, 4) are deprecated and not expected in OTLP.</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// A minimal reader of the protobuf wire format: a message is a sequence of (field number, wire type) tags, each
/// followed by a varint, 8 or 4 little-endian bytes, or a varint length and that many bytes (strings, bytes, nested
/// messages, packed repeated scalars). Enough to decode OTLP requests in tests without generated code.
/// </summary>
public ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        if (AtEnd)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }

        var tag = ReadVarint();
        fieldNumber = checked((int)(tag >> 3));
        wireType = (WireType)(tag & 0x7);
        if (fieldNumber == 0)
        {
            throw new FormatException($"field number 0 at byte {_position}");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new FormatException("truncated varint");
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("varint longer than 10 bytes");
    }

    public ulong ReadFixed64() => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public uint ReadFixed32() => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ReadOnlySpan<byte> ReadLengthDelimited() => Take(checked((int)ReadVarint()));

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadLengthDelimited());

    /// <summary>Skips the value of a field this reader does not care about.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8);
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                Take(4);
                break;
            default:
                throw new FormatException($"unsupported wire type {(int)wireType}");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || _data.Length - _position < length)
        {
            throw new FormatException($"field of {length} bytes runs past the end of the message ({_data.Length - _position} left)");
        }

        var slice = _data.Slice(_position, length);
        _position += length;
        return slice;
    }
}
