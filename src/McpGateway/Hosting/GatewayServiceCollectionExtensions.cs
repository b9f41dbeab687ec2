using System.Diagnostics.Metrics;
using System.Net;
using McpGateway.Admin;
using McpGateway.Audit;
using McpGateway.Aggregation;
using McpGateway.Configuration;
using McpGateway.Endpoints;
using McpGateway.Guardrails;
using McpGateway.Health;
using McpGateway.Observability;
using McpGateway.Observability.Prometheus;
using McpGateway.Policy;
using McpGateway.Security;
using McpGateway.Sessions;
using McpGateway.Storage;
using McpGateway.Upstreams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting;

public static class GatewayServiceCollectionExtensions
{

    /// <summary>Registers the gateway around one initial configuration snapshot.</summary>
    public static IServiceCollection AddMcpGateway(this IServiceCollection services, GatewayConfig config)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOtlpExport(config.Observability);
        services.AddSingleton(new GatewayConfigProvider(config));
        services.AddSingleton<IGatewayConfigProvider>(sp => sp.GetRequiredService<GatewayConfigProvider>());
        services.AddSingleton<ConfigReloadState>();
        services.AddSingleton<GatewayConfigComposer>();
        services.AddRegistryStore(config.Storage);

        // First hosted service: stored entries join the config before anything connects or serves.
        services.AddHostedService<RegistryStartup>();
        services.AddStoredSecretProtection(config.Storage.KeyRing);
        services.AddToolPins(); // after the registry store is initialized: pins live in its database
        services.AddGatewayAudit(); // early: hosted services stop in reverse order, so the audit writer drains last
        if (config.Storage.EffectivePollInterval is { } pollInterval)
        {
            // Replicas share the database; a single SQLite file normally has one writer, this process.
            services.AddHostedService(sp => new RegistryPoller(sp.GetRequiredService<IRegistryStore>(), sp.GetRequiredService<GatewayConfigComposer>(),
                pollInterval, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        }

        services.AddSingleton<RegistryService>();
        services.AddSingleton<ServerToolsService>();
        services.AddSingleton<AdminAccess>();
        services.AddGatewayAuthentication();
        services.AddSingleton<AdminMcpTools>().AddSingleton<AdminMcpEndpoint>();
        services.AddSingleton(sp => new UpstreamHttp(sp.GetRequiredService<IGatewayConfigProvider>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new UpstreamConnector(sp.GetRequiredService<UpstreamHttp>().ClientFor, sp.GetRequiredService<ILoggerFactory>())
        {
            PrincipalCredentials = sp.GetRequiredService<PrincipalCredentials>(),
            Traffic = sp.GetRequiredService<UpstreamTraffic>(),
            Cache = sp.GetRequiredService<ResponseCache>(),
        });
        services.AddSingleton<ResponseCache>();
        services.AddSingleton<UpstreamTraffic>();
        services.AddSingleton<ICircuitStateSource>(sp => sp.GetRequiredService<UpstreamTraffic>());
        services.AddSingleton<SessionStore>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionStore>());
        services.AddSingleton<LastKnownLists>();
        services.AddSingleton<TrafficLimits>();
        services.AddSingleton<SharedLinks>();
        services.AddHostedService(sp => sp.GetRequiredService<SharedLinks>());
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<IForwardFilter, TelemetryFilter>(); // first: the outermost filter
        services.AddSingleton<IForwardFilter, McpGateway.Audit.AuditFilter>(); // outside authorization: refused calls are audited
        services.AddSingleton<IForwardFilter, McpGateway.Security.AuthorizationFilter>(); // before anything else sees a refused item
        services.AddSingleton<IForwardFilter, RateLimitFilter>(); // refused items do not count; limited calls cost nothing further
        services.AddSingleton<McpGateway.Guardrails.ToolSchemaCache>();
        services.AddSingleton<IForwardFilter, McpGateway.Guardrails.RedactionFilter>(); // outside the tool guard: redacts whatever answers
        services.AddSingleton<IForwardFilter, McpGateway.Guardrails.ToolGuardFilter>();
        services.AddSingleton<IForwardFilter, CacheFilter>(); // innermost: every check above runs on a cached answer too
        services.AddSingleton<ForwardPipeline>();
        services.AddSingleton<McpEndpoints>();
        services.AddSingleton(sp => new PrometheusCollector(sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<ServerHealthRegistry>();
        services.AddSingleton<ServerHealthChecker>();
        services.AddHostedService(sp => sp.GetRequiredService<ServerHealthChecker>());
        services.AddJwtAuthentication();
        return services;
    }

    /// <summary>Reloads the snapshot when <paramref name="configFile"/> changes or on SIGHUP (<c>serve --config</c>).</summary>
    public static IServiceCollection AddConfigFileWatcher(this IServiceCollection services, string configFile)
    {
        services.AddHostedService(sp => new ConfigFileWatcher(configFile, sp.GetRequiredService<GatewayConfigProvider>(), sp.GetRequiredService<GatewayConfigComposer>(),
            sp.GetRequiredService<ConfigReloadState>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }

    /// <summary>Maps every gateway endpoint.</summary>
    public static IEndpointRouteBuilder MapMcpGateway(this IEndpointRouteBuilder routes)
    {
        HealthEndpoints.Map(routes);
        McpEndpoints.Map(routes);
        MetricsEndpoints.Map(routes);
        AdminApiEndpoints.Map(routes);
        AdminMcpEndpoint.Map(routes);
        ProtectedResourceMetadataEndpoints.Map(routes);
        return routes;
    }
}
