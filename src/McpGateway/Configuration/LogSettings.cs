using Microsoft.Extensions.Logging;

namespace McpGateway.Configuration;

/// <summary>How the console log is written.</summary>
public enum LogFormat
{
    /// <summary>One human-readable line per entry (the simple console formatter).</summary>
    Text,

    /// <summary>One JSON object per line (the <c>mcp-json</c> formatter), for log pipelines.</summary>
    Json,
}

/// <summary>
/// The log format and level: <c>gateway.logFormat</c>/<c>gateway.logLevel</c> in the file, overridden by the environment
/// (<see cref="FormatVariable"/>, <see cref="LevelVariable"/>), overridden by <c>--log-format</c>/<c>--log-level</c>.
/// </summary>
internal static class LogSettings
{
    public const string FormatVariable = "MCP_GATEWAY_LOG_FORMAT";

    public const string LevelVariable = "MCP_GATEWAY_LOG_LEVEL";

    public const string FormatValues = "json or text";

    public const string LevelValues = "trace, debug, information, warning or error";

    /// <summary><c>json</c> or <c>text</c>, any case.</summary>
    public static bool TryParseFormat(string text, out LogFormat format)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "json":
                format = LogFormat.Json;
                return true;
            case "text":
                format = LogFormat.Text;
                return true;
            default:
                format = default;
                return false;
        }
    }

    /// <summary><c>trace</c>, <c>debug</c>, <c>information</c>, <c>warning</c> or <c>error</c>, any case.</summary>
    public static bool TryParseLevel(string text, out LogLevel level)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "trace":
                level = LogLevel.Trace;
                return true;
            case "debug":
                level = LogLevel.Debug;
                return true;
            case "information":
                level = LogLevel.Information;
                return true;
            case "warning":
                level = LogLevel.Warning;
                return true;
            case "error":
                level = LogLevel.Error;
                return true;
            default:
                level = default;
                return false;
        }
    }

    /// <summary>
    /// The file's settings with the environment's and then the command line's applied. Null with <paramref name="error"/>
    /// (naming the option or variable and the allowed values) when a value is not one of them.
    /// </summary>
    public static GatewayOptions? Apply(GatewayOptions options, string? formatOption, string? levelOption, Func<string, string?> getVariable, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(getVariable);
        error = null;
        if (Override<LogFormat>(FormatVariable, getVariable(FormatVariable), "--log-format", formatOption, "log format", FormatValues, TryParseFormat, ref error) is { } format)
        {
            options = options with { LogFormat = format };
        }

        if (Override<LogLevel>(LevelVariable, getVariable(LevelVariable), "--log-level", levelOption, "log level", LevelValues, TryParseLevel, ref error) is { } level)
        {
            options = options with { LogLevel = level };
        }

        if (error is not null)
        {
            return null;
        }

        return options;
    }

    /// <summary>Parses a value the way <c>TryParse</c> methods do.</summary>
    public delegate bool TryParse<T>(string text, out T value);

    /// <summary>The option's value, else the variable's, else null; a value that does not parse sets <paramref name="error"/>.</summary>
    private static T? Override<T>(string variable, string? variableText, string option, string? optionText, string what, string values, TryParse<T> parse, ref string? error)
        where T : struct
    {
        T? chosen = null;
        foreach (var (source, text) in new[] { (variable, variableText), (option, optionText) })
        {
            if (string.IsNullOrWhiteSpace(text) || error is not null)
            {
                continue;
            }

            if (!parse(text, out var value))
            {
                error = $"{source}: `{text}` is not a {what}; use {values}";
                return null;
            }

            chosen = value;
        }

        return chosen;
    }
}
