using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Observability.Logging;
using McpGateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting;

/// <summary>Builds the gateway's web application; used by <c>serve</c> and by the tests (Kestrel on port 0).</summary>
public static class GatewayApp
{
    /// <param name="watchConfigFile">The file <paramref name="config"/> was loaded from, to reload it when it changes; null for none.</param>
    public static WebApplication Build(GatewayConfig config, string? urls = null, Action<ILoggingBuilder>? configureLogging = null, string? watchConfigFile = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(urls ?? config.Gateway.Listen);
        if (config.Gateway.Tls is not null)
        {
            // The slim builder leaves HTTPS out unless asked for.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The gateway enforces gateway.maxRequestBodyBytes itself so it can answer with a JSON-RPC body.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
            if (config.Gateway.Tls is { } tls)
            {
                GatewayTls.Configure(kestrel, tls);
            }
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            if (config.Gateway.LogFormat == LogFormat.Json)
            {
                builder.Logging.AddGatewayJsonConsole();
            }
            else
            {
                builder.Logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                });
            }

            // Framework categories stay at Warning even at --log-level trace; a stricter level applies to them too.
            var frameworkLevel = config.Gateway.LogLevel > LogLevel.Warning ? config.Gateway.LogLevel : LogLevel.Warning;
            builder.Logging.SetMinimumLevel(config.Gateway.LogLevel);
            builder.Logging.AddFilter("Microsoft.AspNetCore", frameworkLevel);
            builder.Logging.AddFilter("Microsoft.Hosting", frameworkLevel);
            builder.Logging.AddFilter("ModelContextProtocol", frameworkLevel);

            // A start-up failure reaches `serve`, which prints it in one line (or rethrows what it does not know).
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddMcpGateway(config);
        if (watchConfigFile is not null)
        {
            builder.Services.AddConfigFileWatcher(watchConfigFile);
        }

        var app = builder.Build();
        app.UseGatewayAuthentication();
        McpGateway.Audit.AdminAudit.UseAdminAudit(app);
        app.MapMcpGateway();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            GatewayLog.Started(app.Logger, Upstreams.GatewayVersion.Current, config.Servers.Count, string.Join(", ", addresses ?? []));
        });
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (resolves port 0).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
