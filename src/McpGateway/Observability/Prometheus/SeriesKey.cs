namespace McpGateway.Observability.Prometheus;

/// <summary>A label set as the instrument reported it (tag names and values, in the order given).</summary>
internal sealed class SeriesKey(KeyValuePair<string, object?>[] tags, int hash)
{
    public KeyValuePair<string, object?>[] Tags { get; } = tags;

    public int Hash { get; } = hash;
}

/// <summary>
/// Compares a measurement's tag span with a stored <see cref="SeriesKey"/> without allocating, so that the record path
/// finds an existing series through <c>ConcurrentDictionary.GetAlternateLookup</c>. Tag order does not matter.
/// </summary>
internal sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, SeriesKey>
{
    public static readonly SeriesKeyComparer Instance = new();

    public bool Equals(SeriesKey? x, SeriesKey? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Hash == y.Hash && Equals(x.Tags, y));

    public int GetHashCode(SeriesKey obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, SeriesKey other)
    {
        var stored = other.Tags;
        if (alternate.Length != stored.Length)
        {
            return false;
        }

        for (var i = 0; i < alternate.Length; i++)
        {
            // Instruments usually pass their tags in the same order every time: check the same position first.
            if (!SameTag(alternate[i], stored[i]) && !Contains(stored, alternate[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Order-independent: a sum of per-tag hashes.
    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
    {
        var hash = 0;
        foreach (var tag in alternate)
        {
            hash = unchecked(hash + HashCode.Combine(tag.Key, tag.Value));
        }

        return hash;
    }

    public SeriesKey Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate.ToArray(), GetHashCode(alternate));

    private static bool SameTag(KeyValuePair<string, object?> a, KeyValuePair<string, object?> b) =>
        string.Equals(a.Key, b.Key, StringComparison.Ordinal) && Equals(a.Value, b.Value);

    private static bool Contains(KeyValuePair<string, object?>[] tags, KeyValuePair<string, object?> tag)
    {
        foreach (var candidate in tags)
        {
            if (SameTag(candidate, tag))
            {
                return true;
            }
        }

        return false;
    }
}
