using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace McpGateway.Observability.Logging;

internal static class JsonConsoleLogging
{
    /// <summary>The console logger with the <c>mcp-json</c> formatter: one JSON object per line on stdout, scopes included.</summary>
    public static ILoggingBuilder AddGatewayJsonConsole(this ILoggingBuilder logging)
    {
        logging.Services.TryAddSingleton(TimeProvider.System);
        logging.AddConsole(options => options.FormatterName = JsonLogFormatter.FormatterName);
        logging.AddConsoleFormatter<JsonLogFormatter, JsonLogFormatterOptions>(options => options.IncludeScopes = true);
        return logging;
    }
}
