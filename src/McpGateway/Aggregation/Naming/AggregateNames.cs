using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace McpGateway.Aggregation.Naming;

/// <summary>Builds the names under which a view exposes its members' tools and prompts.</summary>
internal static class AggregateNames
{
    /// <summary>The longest tool or prompt name the MCP spec allows.</summary>
    public const int MaxLength = 128;

    /// <summary>Hex characters of the SHA-256 kept in a shortened name.</summary>
    public const int HashLength = 8;

    /// <summary>
    /// <c>{server}{separator}{name}</c>, kept within the spec's tool-name pattern <c>^[A-Za-z0-9_.-]{1,128}$</c>.
    /// </summary>
    /// <remarks>
    /// <para>When the plain composition already matches the pattern it is returned unchanged. Otherwise the result is
    /// derived deterministically from the plain composition <c>c</c>:</para>
    /// <list type="number">
    /// <item>every UTF-16 character of <c>c</c> outside <c>[A-Za-z0-9_.-]</c> becomes <c>_</c> (a character outside
    /// the Basic Multilingual Plane, two UTF-16 units, becomes <c>__</c>);</item>
    /// <item>that text is cut to its first 119 characters (128 minus the 9-character suffix) when longer;</item>
    /// <item><c>-</c> and the first 8 lowercase hex digits of SHA-256 over the UTF-8 bytes of <c>c</c> are appended.</item>
    /// </list>
    /// <para>The hash is of the original composition, so two inputs that sanitize or cut to the same text (e.g. two
    /// long names sharing their first 128 characters, or <c>a b</c> and <c>a/b</c>) still get different names, short
    /// of a 32-bit hash collision. The result is the same on every run and machine. Server names (at most 64
    /// characters) and separators (at most 8) are valid as they are, so the <c>{server}{separator}</c> prefix always
    /// survives. A shortened name could in principle equal some other item's literal name; the catalog's duplicate
    /// check covers that. (Text with unpaired UTF-16 surrogates, which UTF-8 cannot encode, is hashed as its UTF-16LE code
    /// units instead.)</para>
    /// </remarks>
    public static string Compose(string server, string name, string separator)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(separator);
        var composed = string.Concat(server, separator, name);
        return IsValid(composed) ? composed : Shorten(composed);
    }

    /// <summary>Whether <paramref name="name"/> matches <c>^[A-Za-z0-9_.-]{1,128}$</c>.</summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>UTF-8; text with unpaired surrogates (which UTF-8 cannot hold) as its UTF-16LE code units instead, so it stays distinct.</summary>
    private static byte[] HashInput(string composed)
    {
        var utf8 = new byte[Encoding.UTF8.GetMaxByteCount(composed.Length)];
        if (Utf8.FromUtf16(composed, utf8, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done)
        {
            return utf8[..written];
        }

        // Encoding.Unicode would replace the unpaired surrogates too, so the code units are written out one by one.
        var utf16 = new byte[composed.Length * sizeof(char)];
        for (var i = 0; i < composed.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(utf16.AsSpan(i * sizeof(char)), composed[i]);
        }

        return utf16;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    private static string Shorten(string composed)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(HashInput(composed), hash);

        const int keep = MaxLength - 1 - HashLength;
        var length = Math.Min(composed.Length, keep);
        Span<char> result = stackalloc char[length + 1 + HashLength];
        for (var i = 0; i < length; i++)
        {
            result[i] = IsNameChar(composed[i]) ? composed[i] : '_';
        }

        result[length] = '-';
        Convert.TryToHexStringLower(hash[..(HashLength / 2)], result[(length + 1)..], out _);
        return new string(result);
    }
}
