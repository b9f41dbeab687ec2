using System.Text;

namespace McpGateway.Configuration;

/// <summary>
/// Allow/deny globs over tool or prompt names, or over resource URIs (and template <c>uriTemplate</c>s).
/// An empty <see cref="Allow"/> allows everything; a name any <see cref="Deny"/> glob matches is refused even when
/// an allow glob matches it too (deny wins).
/// </summary>
/// <remarks>
/// Globs: <c>*</c> is any run of characters (including none), <c>?</c> is exactly one character, everything else is
/// literal; comparison is ordinal (case-sensitive). The patterns are compiled once, when the filter is built;
/// <see cref="Allows(ReadOnlySpan{char})"/> allocates nothing. Two filters are equal when their pattern lists are
/// equal item by item.
/// </remarks>
public sealed record ItemFilter(IReadOnlyList<string> Allow, IReadOnlyList<string> Deny)
{
    private readonly GlobSet _allow = new(Allow);
    private readonly GlobSet _deny = new(Deny);

    /// <summary>Allows every name.</summary>
    public static readonly ItemFilter All = new([], []);

    /// <summary>Globs of the names to expose; empty exposes every name not denied.</summary>
    public IReadOnlyList<string> Allow
    {
        get => _allow.Patterns;
        init => _allow = new GlobSet(value);
    }

    /// <summary>Globs of the names to hide; they win over <see cref="Allow"/>.</summary>
    public IReadOnlyList<string> Deny
    {
        get => _deny.Patterns;
        init => _deny = new GlobSet(value);
    }

    /// <summary>True when the filter lets every name through.</summary>
    public bool AllowsAll => _allow.Count == 0 && _deny.Count == 0;

    public bool Allows(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Allows(name.AsSpan());
    }

    public bool Allows(ReadOnlySpan<char> name) => !_deny.MatchesAny(name) && (_allow.Count == 0 || _allow.MatchesAny(name));

    /// <summary>True when a <see cref="Deny"/> glob matches (authorization: a deny in any applicable policy wins).</summary>
    public bool Denies(ReadOnlySpan<char> name) => _deny.MatchesAny(name);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Allow = [").AppendJoin(", ", _allow.Patterns).Append("], Deny = [").AppendJoin(", ", _deny.Patterns).Append(']');
        return true;
    }

    /// <summary>A frozen copy of a pattern list with its compiled globs; equal when the patterns are.</summary>
    private sealed class GlobSet : IEquatable<GlobSet>
    {
        private readonly string[] _patterns;
        private readonly Glob[] _globs;

        // Literal patterns (the common "list the exact tool names" form) are one hash lookup, however many there are.
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>>? _literals;

        public GlobSet(IReadOnlyList<string> patterns)
        {
            ArgumentNullException.ThrowIfNull(patterns);
            _patterns = [.. patterns];
            foreach (var pattern in _patterns)
            {
                ArgumentNullException.ThrowIfNull(pattern, nameof(patterns));
            }

            var compiled = Array.ConvertAll(_patterns, Glob.Compile);
            _globs = Array.FindAll(compiled, glob => !glob.IsLiteral);
            var literals = new HashSet<string>(compiled.Where(glob => glob.IsLiteral).Select(glob => glob.Pattern), StringComparer.Ordinal);
            _literals = literals.Count == 0 ? null : literals.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public IReadOnlyList<string> Patterns => _patterns;

        public int Count => _patterns.Length;

        public bool MatchesAny(ReadOnlySpan<char> name)
        {
            if (_literals is { } literals && literals.Contains(name))
            {
                return true;
            }

            foreach (var glob in _globs)
            {
                if (glob.IsMatch(name))
                {
                    return true;
                }
            }

            return false;
        }

        public bool Equals(GlobSet? other) =>
            other is not null && _patterns.AsSpan().SequenceEqual(other._patterns, StringComparer.Ordinal);

        public override bool Equals(object? obj) => Equals(obj as GlobSet);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var pattern in _patterns)
            {
                hash.Add(pattern, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
