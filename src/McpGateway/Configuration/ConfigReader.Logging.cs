using Microsoft.Extensions.Logging;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary><c>gateway.logFormat</c>: json or text.</summary>
    private LogFormat? ReadLogFormat(YamlNode node, string path)
    {
        if (Text(node, path, $"a log format ({LogSettings.FormatValues})") is not { } text)
        {
            return null;
        }

        if (LogSettings.TryParseFormat(text, out var format))
        {
            return format;
        }

        Error(path, node, $"`{Raw(node)}` is not a log format; write {LogSettings.FormatValues}");
        return null;
    }

    /// <summary><c>gateway.logLevel</c>: trace, debug, information, warning or error.</summary>
    private LogLevel? ReadLogLevel(YamlNode node, string path)
    {
        if (Text(node, path, $"a log level ({LogSettings.LevelValues})") is not { } text)
        {
            return null;
        }

        if (LogSettings.TryParseLevel(text, out var level))
        {
            return level;
        }

        Error(path, node, $"`{Raw(node)}` is not a log level; write {LogSettings.LevelValues}");
        return null;
    }
}
