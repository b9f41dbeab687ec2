using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Health;
using McpGateway.Observability;
using McpGateway.Storage;
using McpGateway.Upstreams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpGateway.Admin;

/// <summary>
/// The admin REST API under <c>/api/v1</c> (and <c>POST /deploy</c>): thin HTTP over <see cref="RegistryService"/>,
/// <see cref="ServerToolsService"/> and the health registry. Every route passes <see cref="AdminAccessFilter"/>.
/// </summary>
internal static class AdminApiEndpoints
{
    public const string Prefix = "/api/v1";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var access = routes.ServiceProvider.GetRequiredService<AdminAccess>();
        var logger = routes.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("McpGateway.Admin");
        GatewayLog.AdminApiProtection(logger, access.Token is null
            ? "no admin token set: admin API answers loopback clients only (set gateway.adminToken or MCP_GATEWAY_ADMIN_TOKEN)"
            : "admin API requires a bearer token");

        var filter = new AdminAccessFilter(access, logger);
        var api = routes.MapGroup(Prefix).AddEndpointFilter(filter);

        api.MapGet("/servers", ListServers);
        api.MapPost("/servers", RegisterServerAsync);
        api.MapGet("/servers/{name}", GetServer);
        api.MapPut("/servers/{name}", ReplaceServerAsync);
        api.MapPatch("/servers/{name}", PatchServerAsync);
        api.MapDelete("/servers/{name}", RemoveServerAsync);
        api.MapPost("/servers/{name}/enable", (string name, RegistryService registry, CancellationToken ct) => SetEnabledAsync(name, true, registry, ct));
        api.MapPost("/servers/{name}/disable", (string name, RegistryService registry, CancellationToken ct) => SetEnabledAsync(name, false, registry, ct));
        api.MapPost("/servers/{name}/toggle", (string name, RegistryService registry, CancellationToken ct) => SetEnabledAsync(name, null, registry, ct));
        api.MapPost("/servers/{name}/refresh", RefreshServerAsync);
        api.MapGet("/servers/{name}/tools", ServerToolsAsync);
        api.MapPost("/servers/{name}/health-check", CheckHealthAsync);
        api.MapGet("/tools", AllToolsAsync);
        api.MapGet("/health", Health);
        ToolPinEndpoints.Map(api);

        api.MapGet("/virtual-servers", (RegistryService registry) =>
            TypedResults.Json(new VirtualServerList(registry.ListVirtualServers()), AdminJsonContext.Default.VirtualServerList));
        api.MapPost("/virtual-servers", RegisterVirtualServerAsync);
        api.MapGet("/virtual-servers/{name}", (string name, RegistryService registry) => registry.GetVirtualServer(name) is { } view
            ? TypedResults.Json(view, AdminJsonContext.Default.VirtualServerInfo)
            : AdminProblems.NotFound($"no virtual server named `{name}`"));
        api.MapPut("/virtual-servers/{name}", ReplaceVirtualServerAsync);
        api.MapPatch("/virtual-servers/{name}", PatchVirtualServerAsync);
        api.MapDelete("/virtual-servers/{name}", RemoveVirtualServerAsync);

        api.MapPost("/deploy", DeployAsync);
        routes.MapPost("/deploy", DeployAsync).AddEndpointFilter(filter);
        api.MapGet("/export", (RegistryService registry) => TypedResults.Json(registry.Export(), AdminJsonContext.Default.JsonObject));
        api.MapGet("/config", ConfigStatus);
        ApiKeyEndpoints.Map(api);
        CredentialEndpoints.Map(api);
        McpGateway.Audit.AuditEndpoints.Map(api);
        api.MapGet("/openapi.json", () => TypedResults.Text(AdminOpenApi.Document.Value, "application/json"));
    }

    private static IResult ListServers(HttpRequest request, RegistryService registry)
    {
        var statusText = request.Query["status"].ToString();
        ServerStatusFilter? status = statusText.ToLowerInvariant() switch
        {
            "" or "all" => ServerStatusFilter.All,
            "enabled" => ServerStatusFilter.Enabled,
            "disabled" => ServerStatusFilter.Disabled,
            "unhealthy" => ServerStatusFilter.Unhealthy,
            _ => null,
        };
        if (status is null)
        {
            return AdminProblems.Invalid($"unknown status `{statusText}`", new FieldError("status", "use one of all, enabled, disabled, unhealthy"));
        }

        var query = new ServerQuery(status.Value, NullIfEmpty(request.Query["tag"].ToString()), NullIfEmpty(request.Query["q"].ToString()));
        return TypedResults.Json(new ServerList(registry.ListServers(query)), AdminJsonContext.Default.ServerList);
    }

    private static IResult GetServer(string name, RegistryService registry) => registry.GetServer(name) is { } server
        ? TypedResults.Json(server, AdminJsonContext.Default.ServerInfo)
        : AdminProblems.NotFound($"no server named `{name}`");

    private static async Task<IResult> RegisterServerAsync(HttpContext context, IGatewayConfigProvider config, RegistryService registry, CancellationToken cancellationToken)
    {
        var (body, name, problem) = await ReadEntryAsync(context, config, routeName: null);
        if (body is null)
        {
            return problem!;
        }

        var result = await registry.PutServerAsync(name, body, replace: false, cancellationToken);
        return result.Succeeded
            ? WithLocation(TypedResults.Json(result.Value!, AdminJsonContext.Default.ServerInfo, statusCode: StatusCodes.Status201Created), $"{Prefix}/servers/{Uri.EscapeDataString(name)}")
            : AdminProblems.From(result.Problem!, RegistryComposer.PathOf(RegistryEntryKind.Server, name));
    }

    private static async Task<IResult> ReplaceServerAsync(string name, HttpContext context, IGatewayConfigProvider config, RegistryService registry, CancellationToken cancellationToken)
    {
        var (body, _, problem) = await ReadEntryAsync(context, config, name);
        if (body is null)
        {
            return problem!;
        }

        return ServerAnswer(await registry.PutServerAsync(name, body, replace: true, cancellationToken), name);
    }

    private static async Task<IResult> PatchServerAsync(string name, HttpContext context, IGatewayConfigProvider config, RegistryService registry, CancellationToken cancellationToken)
    {
        var (body, _, problem) = await ReadEntryAsync(context, config, name);
        if (body is null)
        {
            return problem!;
        }

        return ServerAnswer(await registry.PatchServerAsync(name, body, cancellationToken), name);
    }

    private static async Task<IResult> RemoveServerAsync(string name, RegistryService registry, CancellationToken cancellationToken)
    {
        var result = await registry.RemoveServerAsync(name, cancellationToken);
        return result.Succeeded ? TypedResults.NoContent() : AdminProblems.From(result.Problem!);
    }

    private static async Task<IResult> SetEnabledAsync(string name, bool? enabled, RegistryService registry, CancellationToken cancellationToken) =>
        ServerAnswer(await registry.SetEnabledAsync(name, enabled, cancellationToken), name);

    private static async Task<IResult> RefreshServerAsync(string name, IGatewayConfigProvider config, ServerToolsService tools, CancellationToken cancellationToken)
    {
        if (config.Current.FindServer(name) is not { } server)
        {
            return AdminProblems.NotFound($"no running server named `{name}`");
        }

        if (!server.Enabled)
        {
            return AdminProblems.From(RegistryProblem.Conflict(ServerToolsService.DisabledMessage(name)));
        }

        try
        {
            return TypedResults.Json(await tools.RefreshAsync(server, cancellationToken), AdminJsonContext.Default.ServerTools);
        }
        catch (UpstreamException ex)
        {
            return AdminProblems.Unreachable(ex.Message);
        }
    }

    private static async Task<IResult> ServerToolsAsync(string name, bool? refresh, IGatewayConfigProvider config, ServerToolsService tools, CancellationToken cancellationToken)
    {
        if (config.Current.FindServer(name) is not { } server)
        {
            return AdminProblems.NotFound($"no running server named `{name}`");
        }

        if (!server.Enabled)
        {
            return AdminProblems.From(RegistryProblem.Conflict(ServerToolsService.DisabledMessage(name)));
        }

        try
        {
            return TypedResults.Json(await tools.GetAsync(server, refresh == true, cancellationToken), AdminJsonContext.Default.ServerTools);
        }
        catch (UpstreamException ex)
        {
            return AdminProblems.Unreachable(ex.Message);
        }
    }

    private static async Task<IResult> AllToolsAsync(ServerToolsService tools, CancellationToken cancellationToken)
    {
        var all = await tools.GetAllAsync(cancellationToken);
        var entries = all.Select(entry => new ServerToolsEntry(entry.Server, entry.Tools?.Tools, entry.Tools?.Exposed, entry.Tools?.FetchedAt, entry.Error)).ToList();
        return TypedResults.Json(new ToolsOverview(entries), AdminJsonContext.Default.ToolsOverview);
    }

    private static async Task<IResult> CheckHealthAsync(string name, ServerHealthRegistry health, CancellationToken cancellationToken) =>
        await health.CheckNowAsync(name, cancellationToken) is { } checkedHealth
            ? TypedResults.Json(Info(checkedHealth), AdminJsonContext.Default.ServerHealthInfo)
            : AdminProblems.NotFound($"server `{name}` is not health-checked (unknown, disabled, or `health: false`)");

    private static JsonHttpResult<HealthOverview> Health(ServerHealthRegistry health, Upstreams.UpstreamTraffic traffic)
    {
        var all = health.All();
        var servers = all.Select(entry => new ServerHealthEntry(entry.Server, ServerHealth.Name(entry.Status), entry.LatencyMs, entry.LastCheck, entry.ConsecutiveFailures, entry.LastError)).ToList();
        return TypedResults.Json(new HealthOverview(ServerHealthRegistry.Summarize(all), servers, Circuits(traffic)), AdminJsonContext.Default.HealthOverview);
    }

    internal static SortedDictionary<string, string> Circuits(Upstreams.UpstreamTraffic traffic) =>
        new(traffic.CircuitStates().ToDictionary(c => c.Key, c => RegistryService.CircuitName(c.Value)!, StringComparer.Ordinal), StringComparer.Ordinal);

    private static async Task<IResult> RegisterVirtualServerAsync(HttpContext context, IGatewayConfigProvider config, RegistryService registry, CancellationToken cancellationToken)
    {
        var (body, name, problem) = await ReadEntryAsync(context, config, routeName: null);
        if (body is null)
        {
            return problem!;
        }

        var result = await registry.PutVirtualServerAsync(name, body, replace: false, cancellationToken);
        return result.Succeeded
            ? WithLocation(TypedResults.Json(result.Value!, AdminJsonContext.Default.VirtualServerInfo, statusCode: StatusCodes.Status201Created), $"{Prefix}/virtual-servers/{Uri.EscapeDataString(name)}")
            : AdminProblems.From(result.Problem!, RegistryComposer.PathOf(RegistryEntryKind.VirtualServer, name));
    }

    private static async Task<IResult> ReplaceVirtualServerAsync(string name, HttpContext context, IGatewayConfigProvider config, RegistryService registry, CancellationToken cancellationToken)
    {
        var (body, _, problem) = await ReadEntryAsync(context, config, name);
        if (body is null)
        {
            return problem!;
        }

        return ViewAnswer(await registry.PutVirtualServerAsync(name, body, replace: true, cancellationToken), name);
    }

    private static async Task<IResult> PatchVirtualServerAsync(string name, HttpContext context, IGatewayConfigProvider config, RegistryService registry, CancellationToken cancellationToken)
    {
        var (body, _, problem) = await ReadEntryAsync(context, config, name);
        if (body is null)
        {
            return problem!;
        }

        return ViewAnswer(await registry.PatchVirtualServerAsync(name, body, cancellationToken), name);
    }

    private static async Task<IResult> RemoveVirtualServerAsync(string name, RegistryService registry, CancellationToken cancellationToken)
    {
        var result = await registry.RemoveVirtualServerAsync(name, cancellationToken);
        return result.Succeeded ? TypedResults.NoContent() : AdminProblems.From(result.Problem!);
    }

    private static async Task<IResult> DeployAsync(HttpContext context, IGatewayConfigProvider config, RegistryService registry, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync(context, config);
        if (body is null)
        {
            return problem!;
        }

        var result = await registry.DeployAsync(body, cancellationToken);
        return result.Succeeded ? TypedResults.Json(result.Value!, AdminJsonContext.Default.DeployResult) : AdminProblems.From(result.Problem!);
    }

    private static JsonHttpResult<ConfigStatusInfo> ConfigStatus(ConfigReloadState reloads, GatewayConfigComposer composer, IRegistryStore store)
    {
        var status = reloads.Current;
        var setAside = composer.Composition.SetAside
            .Select(entry => new SetAsideInfo(entry.Kind == RegistryEntryKind.Server ? "server" : "virtualServer", entry.Name, [.. entry.Errors.Select(FieldError.From)]))
            .ToList();
        var info = new ConfigStatusInfo(status.Version, status.ContentHash, status.LastAttempt, status.LastSuccess,
            [.. status.Errors.Select(FieldError.From)], store.Description, setAside);
        return TypedResults.Json(info, AdminJsonContext.Default.ConfigStatusInfo);
    }

    private static IResult ServerAnswer(RegistryResult<ServerInfo> result, string name) => result.Succeeded
        ? TypedResults.Json(result.Value!, AdminJsonContext.Default.ServerInfo)
        : AdminProblems.From(result.Problem!, RegistryComposer.PathOf(RegistryEntryKind.Server, name));

    private static IResult ViewAnswer(RegistryResult<VirtualServerInfo> result, string name) => result.Succeeded
        ? TypedResults.Json(result.Value!, AdminJsonContext.Default.VirtualServerInfo)
        : AdminProblems.From(result.Problem!, RegistryComposer.PathOf(RegistryEntryKind.VirtualServer, name));

    /// <summary>The entry's body and name (from the body for a POST, <paramref name="routeName"/> otherwise), or the problem.</summary>
    private static async Task<(JsonObject? Body, string Name, IResult? Problem)> ReadEntryAsync(HttpContext context, IGatewayConfigProvider config, string? routeName)
    {
        var (body, problem) = await ReadAsync(context, config);
        if (body is null)
        {
            return (null, string.Empty, problem);
        }

        var (name, nameProblem) = TakeName(body, routeName);
        return nameProblem is null ? (body, name!, null) : (null, string.Empty, nameProblem);
    }

    private static Task<(JsonObject? Body, IResult? Problem)> ReadAsync(HttpContext context, IGatewayConfigProvider config) =>
        AdminBody.ReadObjectAsync(context.Request, config.Current.Gateway.MaxRequestBodyBytes);

    /// <summary>
    /// Removes <c>name</c> from the body (it names the entry, it is not part of the definition). With no route name it is
    /// required; with one, it may be left out but must agree.
    /// </summary>
    private static (string? Name, IResult? Problem) TakeName(JsonObject body, string? routeName)
    {
        var node = body["name"];
        body.Remove("name");
        if (node is null)
        {
            return routeName is null
                ? (null, AdminProblems.Invalid("the body needs a `name`", new FieldError("name", "required: the entry's name, e.g. \"github\"")))
                : (routeName, null);
        }

        if (node is not JsonValue value || !value.TryGetValue(out string? name) || name.Length == 0)
        {
            return (null, AdminProblems.Invalid("`name` must be a non-empty string", new FieldError("name", "must be a non-empty string")));
        }

        return routeName is null || name == routeName
            ? (name, null)
            : (null, AdminProblems.Invalid($"the body's name `{name}` differs from the path's `{routeName}`; renaming is not supported (register the new name, then delete the old)",
                new FieldError("name", $"must equal `{routeName}` or be left out")));
    }

    private static LocatedResult WithLocation(IResult result, string location) => new(result, location);

    private static ServerHealthInfo Info(ServerHealth health) =>
        new(ServerHealth.Name(health.Status), health.LatencyMs, health.LastCheck, health.ConsecutiveFailures, health.LastError);

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    /// <summary>Adds a <c>Location</c> header to a created resource's answer.</summary>
    private sealed class LocatedResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>Refuses admin requests that <see cref="AdminAccess"/> does not allow, with a problem and a log line.</summary>
internal sealed class AdminAccessFilter(AdminAccess access, ILogger logger) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var verdict = access.Check(http);
        if (verdict == AdminAccessVerdict.Allowed)
        {
            return next(context);
        }

        var status = verdict == AdminAccessVerdict.Unauthorized ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
        var reason = AdminAccess.Explain(verdict);
        GatewayLog.AdminRequestRefused(logger, http.Request.Method, http.Request.Path.Value ?? string.Empty,
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown", status, verdict switch
            {
                AdminAccessVerdict.Unauthorized => "missing or wrong admin token",
                AdminAccessVerdict.Forbidden => "principal lacks the admin role",
                _ => "not loopback and no admin token set",
            });
        if (verdict == AdminAccessVerdict.Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"mcp-gateway admin\"";
        }

        return ValueTask.FromResult<object?>(AdminProblems.Create(status, verdict == AdminAccessVerdict.Unauthorized ? "Unauthorized" : "Forbidden", reason));
    }
}
