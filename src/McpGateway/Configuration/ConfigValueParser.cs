using System.Globalization;

namespace McpGateway.Configuration;

/// <summary>Parses the scalar formats the config file uses. Pure functions: no diagnostics, callers word the errors.</summary>
internal static class ConfigValueParser
{
    /// <summary>What every duration error tells the user to write.</summary>
    public const string DurationHelp = "write seconds (e.g. 30), a number with ms, s, m or h (e.g. 250ms, 30s, 5m, 1h), or hh:mm:ss";

    /// <summary>Accepts seconds (<c>30</c>, <c>1.5</c>), <c>250ms</c>/<c>30s</c>/<c>5m</c>/<c>1h</c>, or a TimeSpan (<c>00:01:00</c>).</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value);
        }

        var (number, millisecondsPerUnit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 1.0),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1_000.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60_000.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3_600_000.0),
            _ => (text, 1_000.0),
        };

        // NumberStyles.Float without AllowThousands: "1,5" must not silently mean 15.
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount))
        {
            return false;
        }

        var milliseconds = amount * millisecondsPerUnit;
        if (Math.Abs(milliseconds) >= TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>Formats a duration the way a user would write it back into the file.</summary>
    public static string FormatDuration(TimeSpan value) => value switch
    {
        _ when value.Ticks % TimeSpan.TicksPerHour == 0 && value.Ticks != 0 => $"{(long)value.TotalHours}h",
        _ when value.Ticks % TimeSpan.TicksPerMinute == 0 && value.Ticks != 0 => $"{(long)value.TotalMinutes}m",
        _ when value.Ticks % TimeSpan.TicksPerSecond == 0 => $"{(long)value.TotalSeconds}s",
        _ => $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms",
    };

    /// <summary>YAML 1.2 core booleans (<c>true</c>/<c>false</c>, any case); YAML 1.1's yes/no/on/off are not booleans.</summary>
    public static bool TryParseBoolean(string text, out bool value)
    {
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        value = false;
        return string.Equals(text, "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An absolute http:// or https:// URL with a host.</summary>
    public static bool TryParseHttpUrl(string text, out Uri? url)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out url)
            && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            && url.Host.Length > 0)
        {
            return true;
        }

        url = null;
        return false;
    }

    /// <summary>
    /// One Kestrel listen address: <c>http(s)://host:port</c> with no path. Kestrel's wildcard hosts <c>*</c> and
    /// <c>+</c> are accepted (Uri cannot parse them, so they are checked as 0.0.0.0).
    /// </summary>
    public static bool TryParseListenAddress(string text, out string? problem)
    {
        var candidate = text.Trim()
            .Replace("://*", "://0.0.0.0", StringComparison.Ordinal)
            .Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!TryParseHttpUrl(candidate, out var url))
        {
            problem = "must be an absolute http:// or https:// URL such as http://127.0.0.1:8080";
            return false;
        }

        if (url!.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            problem = "cannot have a path, query or fragment; write only scheme, host and port, e.g. http://127.0.0.1:8080";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>A browser origin (<c>scheme://host[:port]</c>) normalized the way browsers send it, or <c>*</c>.</summary>
    public static bool TryParseOrigin(string text, out string? origin)
    {
        text = text.Trim();
        if (text == "*")
        {
            origin = text;
            return true;
        }

        if (TryParseHttpUrl(text, out var url) && url!.AbsolutePath == "/" && url.Query.Length == 0 && url.Fragment.Length == 0)
        {
            // Lower-cased host, default port dropped, no trailing slash: the exact form of an Origin header.
            origin = url.GetLeftPart(UriPartial.Authority);
            return true;
        }

        origin = null;
        return false;
    }
}
