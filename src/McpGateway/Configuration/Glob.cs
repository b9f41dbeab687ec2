namespace McpGateway.Configuration;

/// <summary>
/// A compiled glob over names and URIs: <c>*</c> matches any run of characters (including none, and including
/// <c>/</c>), <c>?</c> matches exactly one character, every other character matches itself. Comparison is ordinal
/// (case-sensitive). There are no escapes or character classes, so a literal <c>*</c> or <c>?</c> cannot be
/// expressed; <c>?</c> also matches a literal <c>?</c>. Matching allocates nothing.
/// </summary>
/// <remarks>
/// The pattern is cut at its stars into literal segments. The first segment must match at the start, the last at the
/// end, and the ones between are found left to right, each at its leftmost position: for globs without character
/// classes the leftmost choice is always safe, so there is no backtracking. Segments without <c>?</c> use the
/// vectorized ordinal span search.
/// </remarks>
internal sealed class Glob
{
    private readonly Segment _head;
    private readonly Segment _tail;
    private readonly Segment[] _middle;
    private readonly bool _hasStar;
    private readonly int _minimumLength;

    private Glob(string pattern)
    {
        Pattern = pattern;
        var pieces = pattern.Split('*');
        _hasStar = pieces.Length > 1;
        _head = new Segment(pieces[0]);
        _tail = new Segment(_hasStar ? pieces[^1] : string.Empty);
        _middle = _hasStar ? [.. pieces[1..^1].Where(piece => piece.Length > 0).Select(piece => new Segment(piece))] : [];
        _minimumLength = _head.Text.Length + _tail.Text.Length + _middle.Sum(segment => segment.Text.Length);
        IsLiteral = !_hasStar && !_head.HasQuestionMark;
    }

    public string Pattern { get; }

    /// <summary>True when the pattern has neither <c>*</c> nor <c>?</c>: it matches only itself.</summary>
    public bool IsLiteral { get; }

    public static Glob Compile(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new Glob(pattern);
    }

    /// <summary>The pattern's text before its first <c>*</c> or <c>?</c>: every match starts with it.</summary>
    public static ReadOnlySpan<char> LiteralPrefix(ReadOnlySpan<char> pattern)
    {
        var wildcard = pattern.IndexOfAny('*', '?');
        return wildcard < 0 ? pattern : pattern[..wildcard];
    }

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        if (!_hasStar)
        {
            return text.Length == _head.Text.Length && _head.EqualsAt(text);
        }

        if (text.Length < _minimumLength || !_head.EqualsAt(text[.._head.Text.Length]) || !_tail.EqualsAt(text[(text.Length - _tail.Text.Length)..]))
        {
            return false;
        }

        var rest = text[_head.Text.Length..(text.Length - _tail.Text.Length)];
        foreach (var segment in _middle)
        {
            var at = segment.IndexIn(rest);
            if (at < 0)
            {
                return false;
            }

            rest = rest[(at + segment.Text.Length)..];
        }

        return true;
    }

    /// <summary>Matches without compiling (for one-off checks): a two-pointer scan that remembers only the last star.</summary>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                // Let the last star swallow one more character and retry the rest of the pattern from there.
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    public override string ToString() => Pattern;

    /// <summary>Literal text between stars; <c>?</c> in it matches any one character.</summary>
    private readonly struct Segment(string text)
    {
        public string Text { get; } = text;

        public bool HasQuestionMark { get; } = text.Contains('?', StringComparison.Ordinal);

        /// <summary>Whether <paramref name="text"/> (exactly as long as the segment) matches it.</summary>
        public bool EqualsAt(ReadOnlySpan<char> text)
        {
            if (!HasQuestionMark)
            {
                return text.SequenceEqual(Text);
            }

            for (var i = 0; i < text.Length; i++)
            {
                if (Text[i] != '?' && Text[i] != text[i])
                {
                    return false;
                }
            }

            return true;
        }

        public int IndexIn(ReadOnlySpan<char> text)
        {
            if (!HasQuestionMark)
            {
                return text.IndexOf(Text.AsSpan());
            }

            for (var at = 0; at + Text.Length <= text.Length; at++)
            {
                if (EqualsAt(text.Slice(at, Text.Length)))
                {
                    return at;
                }
            }

            return -1;
        }
    }
}
