using System.Text;

namespace McpGateway.Configuration;

/// <summary>
/// Expands <c>${VAR}</c> and VS Code's <c>${env:VAR}</c> in config strings; <c>$${</c> is a literal <c>${</c>.
/// Expanded text is never re-scanned, so a variable's value cannot inject further references.
/// </summary>
internal static class EnvironmentExpander
{
    // VS Code substitutes these itself; outside the editor they mean nothing, so say so instead of just "not set".
    private static readonly HashSet<string> EditorVariables = new(StringComparer.Ordinal)
    {
        "workspaceFolder", "workspaceFolderBasename", "workspaceRoot", "userHome", "cwd", "file", "pathSeparator",
    };

    /// <summary>Returns the expanded text, or null after adding one message per bad reference to <paramref name="problems"/>.</summary>
    public static string? Expand(string raw, Func<string, string?> getVariable, List<string> problems)
    {
        if (!raw.Contains('$', StringComparison.Ordinal))
        {
            return raw;
        }

        var builder = new StringBuilder(raw.Length);
        var problemCount = problems.Count;
        var i = 0;
        while (i < raw.Length)
        {
            var dollar = raw.IndexOf('$', i);
            if (dollar < 0)
            {
                builder.Append(raw, i, raw.Length - i);
                break;
            }

            builder.Append(raw, i, dollar - i);
            if (At(raw, dollar + 1, "${"))
            {
                builder.Append("${");
                i = dollar + 3;
                continue;
            }

            if (!At(raw, dollar + 1, "{"))
            {
                builder.Append('$');
                i = dollar + 1;
                continue;
            }

            var close = raw.IndexOf('}', dollar + 2);
            if (close < 0)
            {
                problems.Add("`${` is not closed; write ${NAME}, or $${ for a literal ${");
                break;
            }

            var reference = raw.Substring(dollar + 2, close - dollar - 2);
            if (ResolveReference(reference, getVariable, problems) is { } value)
            {
                builder.Append(value);
            }

            i = close + 1;
        }

        return problems.Count == problemCount ? builder.ToString() : null;
    }

    private static string? ResolveReference(string reference, Func<string, string?> getVariable, List<string> problems)
    {
        var name = reference.StartsWith("env:", StringComparison.Ordinal) ? reference[4..] : reference;
        if (reference.StartsWith("input:", StringComparison.Ordinal))
        {
            problems.Add($"`${{{reference}}}` is a VS Code prompt input and the gateway cannot prompt for it; export an environment variable and write ${{VAR}} instead");
            return null;
        }

        if (!IsVariableName(name))
        {
            problems.Add($"`${{{reference}}}` is not a variable reference the gateway understands; write ${{NAME}} or ${{env:NAME}} (letters, digits, _), or $${{ for a literal ${{");
            return null;
        }

        if (getVariable(name) is { } value)
        {
            return value;
        }

        var hint = EditorVariables.Contains(name) ? $" (`${{{name}}}` is filled in by VS Code, not by the gateway; write the value itself)" : string.Empty;
        problems.Add($"environment variable {name} is not set; export it or remove the reference{hint}");
        return null;
    }

    private static bool IsVariableName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool At(string text, int index, string expected) =>
        index + expected.Length <= text.Length && string.CompareOrdinal(text, index, expected, 0, expected.Length) == 0;
}
