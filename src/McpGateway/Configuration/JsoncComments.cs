namespace McpGateway.Configuration;

/// <summary>
/// VS Code's <c>mcp.json</c> is JSONC: <c>//</c> and <c>/* */</c> comments are allowed. A YAML parser would read
/// <c>// text</c> as part of a plain scalar, so comments are blanked out first (with spaces, keeping line numbers).
/// </summary>
internal static class JsoncComments
{
    /// <summary>True when the text is a JSON object: <c>{</c> then a quoted key or <c>}</c>, comments allowed in between.</summary>
    public static bool LooksLikeJson(string text)
    {
        var i = SkipBlank(text, 0);
        if (i >= text.Length || text[i] != '{')
        {
            return false;
        }

        i = SkipBlank(text, i + 1);
        return i < text.Length && text[i] is '"' or '}';
    }

    /// <summary>Replaces comments outside strings with spaces; newlines stay so every line number is unchanged.</summary>
    public static string Blank(string text)
    {
        char[]? chars = null;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
                continue;
            }

            var end = CommentEnd(text, i);
            if (end > i)
            {
                chars ??= text.ToCharArray();
                for (var j = i; j < end; j++)
                {
                    if (chars[j] is not ('\n' or '\r'))
                    {
                        chars[j] = ' ';
                    }
                }

                i = end - 1;
            }
        }

        return chars is null ? text : new string(chars);
    }

    private static int SkipBlank(string text, int i)
    {
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (CommentEnd(text, i) is var end && end > i)
            {
                i = end;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    /// <summary>Index just past a comment starting at <paramref name="i"/>, or <paramref name="i"/> when none starts there.</summary>
    private static int CommentEnd(string text, int i)
    {
        if (text[i] != '/' || i + 1 >= text.Length || !CanStartComment(text, i))
        {
            return i;
        }

        if (text[i + 1] == '/')
        {
            var newline = text.IndexOf('\n', i);
            return newline < 0 ? text.Length : newline;
        }

        if (text[i + 1] == '*')
        {
            var close = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
            return close < 0 ? text.Length : close + 2;
        }

        return i;
    }

    // Only after whitespace or punctuation: "https://x" in an unquoted YAML flow value is not a comment.
    private static bool CanStartComment(string text, int i) =>
        i == 0 || char.IsWhiteSpace(text[i - 1]) || text[i - 1] is ',' or '{' or '[' or '}' or ']';
}
