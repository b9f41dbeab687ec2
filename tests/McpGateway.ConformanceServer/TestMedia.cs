using System.Buffers.Binary;

namespace McpGateway.ConformanceServer;

/// <summary>Small, valid binary payloads for the image, audio and blob scenarios.</summary>
internal static class TestMedia
{
    /// <summary>A 1x1 red pixel PNG.</summary>
    public static ReadOnlyMemory<byte> Png { get; } = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    /// <summary>A 10 ms, 8 kHz, 16-bit mono PCM WAV of silence.</summary>
    public static ReadOnlyMemory<byte> Wav { get; } = CreateSilentWav(sampleRate: 8000, samples: 80);

    private static byte[] CreateSilentWav(int sampleRate, int samples)
    {
        const short Channels = 1;
        const short BitsPerSample = 16;
        int dataLength = samples * Channels * (BitsPerSample / 8);
        var wav = new byte[44 + dataLength];
        var span = wav.AsSpan();

        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + dataLength);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);                    // fmt chunk size
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);                     // PCM
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], Channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * Channels * BitsPerSample / 8);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], (short)(Channels * BitsPerSample / 8));
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], BitsPerSample);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], dataLength);
        return wav;
    }
}
