using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpGateway.Observability.Prometheus;

/// <summary>
/// Writes the text exposition format 0.0.4 as UTF-8 straight into a buffer writer (the response's pipe). Names,
/// help texts and label sets arrive pre-encoded, so a scrape mostly copies bytes and formats numbers.
/// </summary>
internal sealed class PrometheusTextWriter(IBufferWriter<byte> output)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Bytes written since the last <see cref="MarkFlushed"/>; the caller flushes the pipe when this grows.</summary>
    public long UnflushedBytes { get; private set; }

    public void MarkFlushed() => UnflushedBytes = 0;

    /// <summary>The <c># HELP</c> and <c># TYPE</c> lines that open a family (<paramref name="escapedHelp"/> already escaped).</summary>
    public void WriteFamilyHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> escapedHelp, PrometheusMetricType type)
    {
        Write("# HELP "u8);
        Write(name);
        Write(" "u8);
        Write(escapedHelp);
        Write("\n# TYPE "u8);
        Write(name);
        Write(type switch
        {
            PrometheusMetricType.Counter => " counter\n"u8,
            PrometheusMetricType.Gauge => " gauge\n"u8,
            _ => " histogram\n"u8,
        });
    }

    /// <summary>
    /// One sample line: <c>name[suffix]{labels[,extraLabel]} value</c>. <paramref name="labels"/> and
    /// <paramref name="extraLabel"/> are rendered <c>name="escaped value"</c> pairs (comma-separated), without braces.
    /// </summary>
    public void WriteSample(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel, double value)
    {
        WriteSampleStart(name, suffix, labels, extraLabel);
        WriteNumber(value);
        Write("\n"u8);
    }

    /// <inheritdoc cref="WriteSample(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, double)"/>
    public void WriteSample(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel, long value)
    {
        WriteSampleStart(name, suffix, labels, extraLabel);
        var span = output.GetSpan(24);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        Advance(written);
        Write("\n"u8);
    }

    private void WriteSampleStart(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel)
    {
        Write(name);
        Write(suffix);
        if (labels.Length > 0 || extraLabel.Length > 0)
        {
            Write("{"u8);
            Write(labels);
            if (labels.Length > 0 && extraLabel.Length > 0)
            {
                Write(","u8);
            }

            Write(extraLabel);
            Write("}"u8);
        }

        Write(" "u8);
    }

    private void WriteNumber(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            Write("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            Write("-Inf"u8);
        }
        else if (double.IsNaN(value))
        {
            Write("NaN"u8);
        }
        else
        {
            // "R" is the shortest text that parses back to the same double.
            var span = output.GetSpan(32);
            value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture);
            Advance(written);
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        UnflushedBytes += bytes.Length;
    }

    private void Advance(int count)
    {
        output.Advance(count);
        UnflushedBytes += count;
    }

    /// <summary>A number as it appears in a label value (<c>le="0.005"</c>): same formatting as sample values.</summary>
    public static string FormatNumber(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>HELP text escaping: backslash and line feed.</summary>
    public static byte[] EscapeHelp(string text) => Encoding.UTF8.GetBytes(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));

    /// <summary>Label value escaping: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
