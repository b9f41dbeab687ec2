using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace McpGateway.Aggregation;

/// <summary>Does a URI fit an RFC 6570 template? Enough of the RFC for routing reads to the server that owns a template.</summary>
internal static class UriTemplateMatcher
{
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    public static bool Matches(string template, string uri) =>
        Compiled.GetOrAdd(template, Compile).IsMatch(uri);

    private static Regex Compile(string template)
    {
        var pattern = new StringBuilder("^");
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                pattern.Append(Regex.Escape(template[i..]));
                break;
            }

            pattern.Append(Regex.Escape(template[i..open]));
            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                pattern.Append(Regex.Escape(template[open..]));
                break;
            }

            var expression = template[(open + 1)..close];
            pattern.Append(expression.Length == 0 ? string.Empty : expression[0] switch
            {
                '+' or '#' => ".*",                    // reserved expansion: may contain '/'
                '?' or '&' => "(?:[?&][^#]*)?",        // query parameters, optional
                '/' => "(?:/[^/?#]*)*",               // path segments
                '.' => "(?:\\.[^/?#.]*)*",
                ';' => "(?:;[^/?#]*)*",
                _ => "[^/?#]*",                         // simple expansion: one segment
            });
            i = close + 1;
        }

        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}
