using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Health;
using McpGateway.Upstreams;
using static McpGateway.Admin.AdminMcpSchema;

namespace McpGateway.Admin;

/// <summary>One management tool: what <c>tools/list</c> shows, and what <c>tools/call</c> runs.</summary>
internal sealed record AdminMcpTool(
    string Name,
    string Title,
    string Description,
    JsonObject InputSchema,
    bool ReadOnly,
    bool Destructive,
    bool Idempotent,
    bool OpenWorld,
    Func<JsonObject, CancellationToken, Task<JsonObject>> Run)
{
    public JsonObject Describe() => new()
    {
        ["name"] = Name,
        ["title"] = Title,
        ["description"] = Description,
        ["inputSchema"] = InputSchema.DeepClone(),
        ["annotations"] = new JsonObject
        {
            ["title"] = Title,
            ["readOnlyHint"] = ReadOnly,
            ["destructiveHint"] = Destructive,
            ["idempotentHint"] = Idempotent,
            ["openWorldHint"] = OpenWorld,
        },
    };
}

/// <summary>
/// The tools of the gateway's own MCP server (<c>/admin/mcp</c>). Each one is a thin shell over the operation the REST
/// API calls (<see cref="RegistryService"/>, <see cref="ServerToolsService"/>, <see cref="ServerHealthRegistry"/>), so
/// validation and the file-wins rule are identical; a refusal is a tool result with <c>isError</c> carrying the same
/// problem (status, detail, fields) the REST API answers with.
/// </summary>
internal sealed class AdminMcpTools
{
    private readonly RegistryService _registry;
    private readonly ServerToolsService _tools;
    private readonly ServerHealthRegistry _health;
    private readonly IGatewayConfigProvider _config;

    public AdminMcpTools(RegistryService registry, ServerToolsService tools, ServerHealthRegistry health, IGatewayConfigProvider config)
    {
        _registry = registry;
        _tools = tools;
        _health = health;
        _config = config;
        All = Build();
    }

    /// <remarks><c>OpenWorld</c>: the tool talks to upstream servers (listing tools, reconnecting, pinging); registry edits stay inside the gateway.</remarks>
    public IReadOnlyList<AdminMcpTool> All { get; }

    public AdminMcpTool? Find(string name) => All.FirstOrDefault(tool => tool.Name == name);

    private static JsonObject NameParameter(string what) => Object(new JsonObject
    {
        ["name"] = String($"The server's name, as list_services shows it. {what}", minLength: 1),
    }, "name");

    private List<AdminMcpTool> Build() =>
    [
        new("list_services", "List servers",
            "Lists the upstream MCP servers the gateway knows: each with origin (`file`: defined in the config file, read-only here; `registry`: registered at run time), state, enabled, transport, tags, command or URL and last health check. All filters are optional and combine.",
            Object(new JsonObject
            {
                ["status"] = Enum("Which servers: `all` (default), `enabled`, `disabled`, or `unhealthy` (enabled and failing health checks).", "all", "enabled", "disabled", "unhealthy"),
                ["tag"] = String("Only servers carrying this tag (case-insensitive)."),
                ["search"] = String("Only servers whose name, description, command or URL contains this text (case-insensitive)."),
            }),
            ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false, ListServicesAsync),
        new("register_service", "Register a server",
            "Registers a new upstream MCP server and starts serving its tools through the gateway at once; the registration is stored and survives restarts. Give exactly one of `command` (a local stdio server the gateway starts) or `url` (a remote server). A name already in use is refused; use toggle_service or remove_service on existing servers.",
            Object(new JsonObject
            {
                ["name"] = String("Unique server name: letters, digits, `-` and `_`. Becomes the tool-name prefix in aggregated views.", minLength: 1),
                ["description"] = String("What the server is for, shown to operators."),
                ["tags"] = StringArray("Labels for filtering (list_services `tag`)."),
                ["command"] = String("Executable of a stdio server, e.g. `npx` or `uvx`. Not together with `url`.", minLength: 1),
                ["args"] = StringArray("Arguments for `command`, e.g. [\"-y\", \"@modelcontextprotocol/server-everything\"]."),
                ["env"] = StringMap("Environment variables for `command`; `${VAR}` takes a variable of the gateway's environment."),
                ["cwd"] = String("Working directory for `command`."),
                ["url"] = String("URL of a remote MCP server (http or https). Not together with `command`.", minLength: 1),
                ["transport"] = Enum("Transport of a remote server: `http` (Streamable HTTP, falling back to SSE; the default), `streamable-http`, or `sse`. `stdio` is implied by `command`.", "stdio", "http", "streamable-http", "sse"),
                ["headers"] = StringMap("HTTP headers sent to a remote server, e.g. {\"Authorization\": \"Bearer ${GITHUB_TOKEN}\"}; prefer `${VAR}` references over literal secrets."),
                ["enabled"] = Boolean("Whether to serve the server's tools right away (default true)."),
            }, "name"),
            ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false, RegisterServiceAsync),
        new("remove_service", "Remove a server",
            "Removes a server registered at run time: its tools disappear from the gateway and its connections close. Servers from the config file cannot be removed here (edit the file).",
            NameParameter("Must be a registered (origin `registry`) server."),
            ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: false, RemoveServiceAsync),
        new("toggle_service", "Enable or disable a server",
            "Enables or disables a server registered at run time. A disabled server stays registered, but its tools are hidden and its connections close. Without `enabled` the current state flips.",
            Object(new JsonObject
            {
                ["name"] = String("The server's name. Must be a registered (origin `registry`) server.", minLength: 1),
                ["enabled"] = Boolean("true to enable, false to disable; omit to flip the current state."),
            }, "name"),
            ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false, ToggleServiceAsync),
        new("get_server_details", "Show a server",
            "Shows one server: origin, state (and why a stored entry is set aside), enabled, transport, command or URL, tags, health, and its definition as written (secret header and environment values masked).",
            NameParameter(string.Empty),
            ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false, GetServerDetailsAsync),
        new("get_service_tools", "List a server's tools",
            "Lists the tools one server offers, as the server itself names and describes them, and which of them its `tools` filter exposes through the gateway. Cached; `refresh: true` asks the server again.",
            Object(new JsonObject
            {
                ["name"] = String("The server's name.", minLength: 1),
                ["refresh"] = Boolean("Ask the server again instead of answering from the cache (default false)."),
            }, "name"),
            ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true, GetServiceToolsAsync),
        new("refresh_service", "Reconnect a server",
            "Reconnects to a server (a new upstream session; a stdio server's process is restarted) and lists its tools again. Use after the server was updated or seems stuck.",
            NameParameter(string.Empty),
            ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: true, RefreshServiceAsync),
        new("healthcheck", "Check health",
            "With `name`: checks that server now (an MCP ping) and returns its status (healthy, degraded, unhealthy), latency and last error. Without: every checked server's current health and an overall summary.",
            Object(new JsonObject
            {
                ["name"] = String("A server to check now; omit for the health of all servers.", minLength: 1),
            }),
            ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true, HealthcheckAsync),
    ];

    private Task<JsonObject> ListServicesAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var status = (string?)arguments["status"] switch
        {
            "enabled" => ServerStatusFilter.Enabled,
            "disabled" => ServerStatusFilter.Disabled,
            "unhealthy" => ServerStatusFilter.Unhealthy,
            _ => ServerStatusFilter.All,
        };
        var servers = _registry.ListServers(new ServerQuery(status, (string?)arguments["tag"], (string?)arguments["search"]));
        var summary = servers.Count == 0
            ? "No servers match."
            : $"{servers.Count} server(s):\n" + string.Join('\n', servers.Select(server =>
                $"- {server.Name} ({server.Origin}, {(server.State == "active" ? server.Enabled ? "enabled" : "disabled" : server.State)}, {server.Transport ?? "?"}{(server.Health is { } health ? ", " + health.Status : string.Empty)})"));
        var list = new JsonArray([.. servers.Select(server => (JsonNode)ToNode(server))]);
        return Task.FromResult(Success(new JsonObject { ["servers"] = list }, summary));
    }

    private async Task<JsonObject> RegisterServiceAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var name = (string)arguments["name"]!;
        var definition = new JsonObject();
        foreach (var (key, value) in arguments)
        {
            if (key != "name")
            {
                definition[key] = value?.DeepClone();
            }
        }

        var result = await _registry.PutServerAsync(name, definition, replace: false, cancellationToken);
        return result.Succeeded
            ? Success(ToNode(result.Value!), $"Registered `{name}` ({result.Value!.Transport}, {(result.Value.Enabled ? "enabled" : "disabled")}); its tools are served now.")
            : Failure(result.Problem!, name);
    }

    private async Task<JsonObject> RemoveServiceAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var name = (string)arguments["name"]!;
        var result = await _registry.RemoveServerAsync(name, cancellationToken);
        return result.Succeeded
            ? Success(new JsonObject { ["removed"] = name }, $"Removed `{name}`.")
            : Failure(result.Problem!, name);
    }

    private async Task<JsonObject> ToggleServiceAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var name = (string)arguments["name"]!;
        var enabled = arguments["enabled"] is JsonValue value ? value.GetValue<bool>() : (bool?)null;
        var result = await _registry.SetEnabledAsync(name, enabled, cancellationToken);
        return result.Succeeded
            ? Success(ToNode(result.Value!), $"`{name}` is now {(result.Value!.Enabled ? "enabled" : "disabled")}.")
            : Failure(result.Problem!, name);
    }

    private Task<JsonObject> GetServerDetailsAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var name = (string)arguments["name"]!;
        var server = _registry.GetServer(name);
        return Task.FromResult(server is null
            ? Failure(RegistryProblem.NotFound($"no server named `{name}`"), name)
            : Success(ToNode(server), $"`{name}`: {server.Origin}, {server.State}, {(server.Enabled ? "enabled" : "disabled")}, {server.Transport ?? "?"} {server.Command ?? server.Url}".TrimEnd()));
    }

    private async Task<JsonObject> GetServiceToolsAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var name = (string)arguments["name"]!;
        var refresh = arguments["refresh"] is JsonValue value && value.GetValue<bool>();
        return await WithServerAsync(name, server => _tools.GetAsync(server, refresh, cancellationToken));
    }

    private async Task<JsonObject> RefreshServiceAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var name = (string)arguments["name"]!;
        return await WithServerAsync(name, server => _tools.RefreshAsync(server, cancellationToken));
    }

    private async Task<JsonObject> WithServerAsync(string name, Func<ServerConfig, Task<ServerTools>> list)
    {
        if (_config.Current.FindServer(name) is not { } server)
        {
            return Failure(RegistryProblem.NotFound($"no server named `{name}` is running (see list_services; a set-aside entry does not run)"), name);
        }

        if (!server.Enabled)
        {
            return Failure(RegistryProblem.Conflict(ServerToolsService.DisabledMessage(name)), name);
        }

        try
        {
            var tools = await list(server);
            var names = tools.Tools.Select(tool => (string?)tool?["name"]).OfType<string>().ToList();
            var structured = ToNode(tools);
            return Success(structured, $"`{name}` offers {names.Count} tool(s){(names.Count > 0 ? ": " + string.Join(", ", names) : string.Empty)}; {tools.Exposed.Count} exposed through the gateway.");
        }
        catch (UpstreamException ex)
        {
            return Failure(AdminProblems.UnreachableProblem(ex.Message));
        }
    }

    private async Task<JsonObject> HealthcheckAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        if ((string?)arguments["name"] is { } name)
        {
            var checkedNow = await _health.CheckNowAsync(name, cancellationToken);
            if (checkedNow is null)
            {
                return Failure(RegistryProblem.NotFound(_config.Current.FindServer(name) is null
                    ? $"no server named `{name}`"
                    : $"server `{name}` is not health-checked (it is disabled, or has `health: false`)"), name);
            }

            var info = ToInfo(checkedNow);
            return Success(ToNode(info), $"`{name}` is {info.Status}{(info.LatencyMs is { } latency ? $" ({latency:0.#} ms)" : string.Empty)}{(info.LastError is { } error ? ": " + error : string.Empty)}.");
        }

        var all = _health.All();
        var summary = ServerHealthRegistry.Summarize(all);
        var overview = new HealthOverview(summary, [.. all.Select(health =>
            new ServerHealthEntry(health.Server, ServerHealth.Name(health.Status), health.LatencyMs, health.LastCheck, health.ConsecutiveFailures, health.LastError))]);
        return Success((JsonObject)JsonSerializer.SerializeToNode(overview, AdminJsonContext.Default.HealthOverview)!,
            $"Upstreams {summary}" + (all.Count == 0 ? "; no server is health-checked." : ": " + string.Join(", ", all.Select(health => $"{health.Server} {ServerHealth.Name(health.Status)}")) + "."));
    }

    private static ServerHealthInfo ToInfo(ServerHealth health) =>
        new(ServerHealth.Name(health.Status), health.LatencyMs, health.LastCheck, health.ConsecutiveFailures, health.LastError);

    private static JsonObject Success(JsonObject structured, string summary) => new()
    {
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = summary }),
        ["structuredContent"] = structured,
    };

    /// <summary>The REST API's problem for <paramref name="problem"/>, with fields relative to the entry (<c>url</c>, <c>args[0]</c>) as in its single-entry bodies.</summary>
    private static JsonObject Failure(RegistryProblem problem, string name) =>
        Failure(AdminProblems.Describe(problem, RegistryComposer.PathOf(RegistryEntryKind.Server, name)));

    private static JsonObject Failure(AdminProblem problem)
    {
        var text = $"{problem.Title} ({problem.Status}): {problem.Detail}" + string.Concat((problem.Errors ?? []).Select(error => $"\n- {(error.Field.Length > 0 ? error.Field : "(body)")}: {error.Message}"));
        return new JsonObject
        {
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
            ["structuredContent"] = JsonSerializer.SerializeToNode(problem, AdminJsonContext.Default.AdminProblem),
            ["isError"] = true,
        };
    }

    private static JsonObject ToNode(ServerInfo value) => (JsonObject)JsonSerializer.SerializeToNode(value, AdminJsonContext.Default.ServerInfo)!;

    private static JsonObject ToNode(ServerTools value) => (JsonObject)JsonSerializer.SerializeToNode(value, AdminJsonContext.Default.ServerTools)!;

    private static JsonObject ToNode(ServerHealthInfo value) => (JsonObject)JsonSerializer.SerializeToNode(value, AdminJsonContext.Default.ServerHealthInfo)!;
}
