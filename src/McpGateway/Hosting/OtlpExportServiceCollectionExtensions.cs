using McpGateway.Configuration;
using McpGateway.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Hosting;

internal static class OtlpExportServiceCollectionExtensions
{
    /// <summary>
    /// Registers OTLP export when an endpoint is configured, and nothing otherwise. Call it before the other hosted
    /// services: those stop in reverse order, so the export flushes after the sessions have ended.
    /// </summary>
    public static IServiceCollection AddOtlpExport(this IServiceCollection services, ObservabilityOptions options)
    {
        if (options.Otlp is null)
        {
            return services;
        }

        services.AddSingleton(sp => new OtlpExport(options, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OtlpExport>>()));
        services.AddHostedService(sp => sp.GetRequiredService<OtlpExport>());
        return services;
    }
}
