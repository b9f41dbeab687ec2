using System.Text.RegularExpressions;

namespace McpGateway.Configuration;

/// <summary>The top-level <c>guardrails:</c> section: argument validation, blocked tools and output redaction.</summary>
public sealed record GuardrailOptions
{
    public static readonly GuardrailOptions Default = new();

    /// <summary>Check <c>tools/call</c> arguments against the tool's <c>inputSchema</c> before forwarding; a server may override it.</summary>
    public bool ValidateArguments { get; init; } = true;

    /// <summary>
    /// Globs over canonical tool names (<c>{server}{separator}{tool}</c>, whatever a view's naming): such tools are in no
    /// list and calling them gets the unknown-tool error.
    /// </summary>
    public ItemFilter BlockedTools { get; init; } = ItemFilter.All;

    /// <summary>
    /// Pin each tool's definition (<c>pinTools</c>): a tool whose name, title, description, schemas or annotations change
    /// after approval is withheld until an admin approves the change. A server may override it.
    /// </summary>
    public bool PinTools { get; init; } = true;

    /// <summary>
    /// Trust on first use (<c>pinning.approveNew</c>): a tool seen for the first time is approved and pinned; false makes
    /// new tools wait for approval too.
    /// </summary>
    public bool ApproveNewTools { get; init; } = true;

    /// <summary>Redaction of tool results and resource contents for every view; null redacts nothing.</summary>
    public RedactionOptions? Redact { get; init; }

    /// <summary>Whether <paramref name="tool"/> of <paramref name="server"/> is blocked; allocates only for long names.</summary>
    public bool IsBlocked(string server, string tool, string separator)
    {
        if (BlockedTools.AllowsAll)
        {
            return false;
        }

        var length = server.Length + separator.Length + tool.Length;
        Span<char> canonical = length <= 256 ? stackalloc char[length] : new char[length];
        server.AsSpan().CopyTo(canonical);
        separator.AsSpan().CopyTo(canonical[server.Length..]);
        tool.AsSpan().CopyTo(canonical[(server.Length + separator.Length)..]);
        return !BlockedTools.Allows(canonical);
    }
}

/// <summary>What to redact from outputs (<c>guardrails.redact</c>, or a view's <c>redact</c>).</summary>
public sealed record RedactionOptions
{
    public const string DefaultReplacement = "[REDACTED:{name}]";

    /// <summary>Built-in detectors by name (<c>email</c>, <c>creditCard</c>, <c>apiKey</c>).</summary>
    public IReadOnlyList<string> Detectors { get; init; } = [];

    /// <summary>The operator's own patterns.</summary>
    public IReadOnlyList<RedactionPattern> Patterns { get; init; } = [];

    /// <summary>Written instead of a match; <c>{name}</c> becomes the detector's or pattern's name.</summary>
    public string Replacement { get; init; } = DefaultReplacement;

    public bool Equals(RedactionOptions? other) =>
        other is not null && Detectors.SequenceEqual(other.Detectors) && Patterns.SequenceEqual(other.Patterns) && Replacement == other.Replacement;

    public override int GetHashCode() => HashCode.Combine(Detectors.Count, Patterns.Count, Replacement);
}

/// <summary>A named regular expression whose matches are redacted; compiled once, with a match timeout.</summary>
public sealed record RedactionPattern(string Name, Regex Regex)
{
    public bool Equals(RedactionPattern? other) => other is not null && Name == other.Name && Regex.ToString() == other.Regex.ToString();

    public override int GetHashCode() => HashCode.Combine(Name, Regex.ToString());
}
