using Microsoft.Extensions.Logging;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary><c>gateway.logFormat</c>: json or text.</summary>
    private LogFormat? ReadLogFormat(YamlNode node, string path) => ReadChoice<LogFormat>(node, path, "log format", LogSettings.FormatValues, LogSettings.TryParseFormat);

    /// <summary><c>gateway.logLevel</c>: trace, debug, information, warning or error.</summary>
    private LogLevel? ReadLogLevel(YamlNode node, string path) => ReadChoice<LogLevel>(node, path, "log level", LogSettings.LevelValues, LogSettings.TryParseLevel);

    /// <summary>One of a fixed set of words; the error lists them.</summary>
    private T? ReadChoice<T>(YamlNode node, string path, string what, string values, LogSettings.TryParse<T> parse)
        where T : struct
    {
        if (Text(node, path, $"a {what} ({values})") is not { } text)
        {
            return null;
        }

        if (parse(text, out var value))
        {
            return value;
        }

        Error(path, node, $"`{Raw(node)}` is not a {what}; write {values}");
        return null;
    }
}
