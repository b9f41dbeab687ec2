using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Health;
using McpGateway.Storage;

namespace McpGateway.Admin;

/// <summary>
/// The operations the admin API, <c>/deploy</c> and the management MCP server share: read the registry, and change
/// the stored part of it. Every change is validated against the running config file, saved, and only then run; the
/// config file's entries are read-only here.
/// </summary>
internal sealed class RegistryService(GatewayConfigComposer composer, IRegistryStore store, ServerHealthRegistry health, Upstreams.UpstreamTraffic traffic)
{
    private const string Masked = "***";

    public IReadOnlyList<ServerInfo> ListServers(ServerQuery query)
    {
        var composition = composer.Composition;
        var servers = new List<ServerInfo>();
        foreach (var server in composition.Config.Servers)
        {
            servers.Add(Describe(server, composition));
        }

        foreach (var entry in composition.SetAside.Where(entry => entry.Kind == RegistryEntryKind.Server))
        {
            servers.Add(DescribeSetAside(entry));
        }

        return [.. servers.Where(server => Matches(server, query))];
    }

    public ServerInfo? GetServer(string name)
    {
        var composition = composer.Composition;
        if (composition.Config.FindServer(name) is { } server)
        {
            return Describe(server, composition);
        }

        return composition.FindSetAside(RegistryEntryKind.Server, name) is { } entry ? DescribeSetAside(entry) : null;
    }

    public IReadOnlyList<VirtualServerInfo> ListVirtualServers()
    {
        var composition = composer.Composition;
        return
        [
            .. composition.Config.VirtualServers.Select(view => Describe(view, composition)),
            .. composition.SetAside.Where(entry => entry.Kind == RegistryEntryKind.VirtualServer).Select(DescribeSetAsideView),
        ];
    }

    public VirtualServerInfo? GetVirtualServer(string name)
    {
        var composition = composer.Composition;
        if (composition.Config.FindVirtualServer(name) is { } view)
        {
            return Describe(view, composition);
        }

        return composition.FindSetAside(RegistryEntryKind.VirtualServer, name) is { } entry ? DescribeSetAsideView(entry) : null;
    }

    /// <summary>Registers a new server (<paramref name="replace"/> false: an existing name is a conflict) or replaces a stored one.</summary>
    public async Task<RegistryResult<ServerInfo>> PutServerAsync(string name, JsonObject definition, bool replace, CancellationToken cancellationToken) =>
        await UpstreamPolicyProblemAsync(name, definition, cancellationToken) is { } refused ? RegistryResult.Fail<ServerInfo>(refused) : await EditServerAsync(name, context =>
        {
            if (Stored(context.Stored.Servers, name) is not null && !replace)
            {
                return RegistryProposal.Refuse(RegistryProblem.Conflict($"a server named `{name}` is already registered; update that one or pick another name"));
            }

            return RegistryProposal.To(context.Stored with { Servers = Upsert(context.Stored.Servers, name, definition, context.Now) });
        }, mustExist: replace, cancellationToken);

    /// <summary>Applies a JSON merge patch (RFC 7396) to a stored server's definition.</summary>
    public async Task<RegistryResult<ServerInfo>> PatchServerAsync(string name, JsonObject patch, CancellationToken cancellationToken) =>
        await UpstreamPolicyProblemAsync(name, patch, cancellationToken) is { } refused ? RegistryResult.Fail<ServerInfo>(refused) : await EditServerAsync(name, context =>
        {
            var existing = Stored(context.Stored.Servers, name)!;
            var definition = MergePatch(ParseDefinition(existing.Definition), patch);
            return RegistryProposal.To(context.Stored with { Servers = Upsert(context.Stored.Servers, name, definition, context.Now) });
        }, mustExist: true, cancellationToken);

    /// <summary>Enables or disables a stored server; null toggles.</summary>
    public Task<RegistryResult<ServerInfo>> SetEnabledAsync(string name, bool? enabled, CancellationToken cancellationToken) =>
        EditServerAsync(name, context =>
        {
            var existing = Stored(context.Stored.Servers, name)!;
            var definition = ParseDefinition(existing.Definition);
            var now = enabled ?? !IsEnabled(definition);
            definition.Remove("disabled");
            definition["enabled"] = now;
            return RegistryProposal.To(context.Stored with { Servers = Upsert(context.Stored.Servers, name, definition, context.Now) });
        }, mustExist: true, cancellationToken);

    public Task<RegistryResult<bool>> RemoveServerAsync(string name, CancellationToken cancellationToken) =>
        EditAsync(RegistryEntryKind.Server, name, mustExist: true, context =>
        {
            var users = context.Composition.Config.VirtualServers.Where(view => view.Servers.Contains(name, StringComparer.Ordinal)).Select(view => view.Name).ToList();
            if (users.Count > 0)
            {
                return RegistryProposal.Refuse(RegistryProblem.Conflict($"virtual server(s) {string.Join(", ", users.Select(user => $"`{user}`"))} list `{name}` in `servers`; remove it there first"));
            }

            return RegistryProposal.To(context.Stored with { Servers = [.. context.Stored.Servers.Where(entry => entry.Name != name)] });
        }, () => true, cancellationToken);

    public Task<RegistryResult<VirtualServerInfo>> PutVirtualServerAsync(string name, JsonObject definition, bool replace, CancellationToken cancellationToken) =>
        EditAsync(RegistryEntryKind.VirtualServer, name, mustExist: replace, context =>
        {
            if (Stored(context.Stored.VirtualServers, name) is not null && !replace)
            {
                return RegistryProposal.Refuse(RegistryProblem.Conflict($"a virtual server named `{name}` is already registered; update that one or pick another name"));
            }

            return RegistryProposal.To(context.Stored with { VirtualServers = Upsert(context.Stored.VirtualServers, name, definition, context.Now) });
        }, () => GetVirtualServer(name)!, cancellationToken);

    public Task<RegistryResult<VirtualServerInfo>> PatchVirtualServerAsync(string name, JsonObject patch, CancellationToken cancellationToken) =>
        EditAsync(RegistryEntryKind.VirtualServer, name, mustExist: true, context =>
        {
            var definition = MergePatch(ParseDefinition(Stored(context.Stored.VirtualServers, name)!.Definition), patch);
            return RegistryProposal.To(context.Stored with { VirtualServers = Upsert(context.Stored.VirtualServers, name, definition, context.Now) });
        }, () => GetVirtualServer(name)!, cancellationToken);

    public Task<RegistryResult<bool>> RemoveVirtualServerAsync(string name, CancellationToken cancellationToken) =>
        EditAsync(RegistryEntryKind.VirtualServer, name, mustExist: true,
            context => RegistryProposal.To(context.Stored with { VirtualServers = [.. context.Stored.VirtualServers.Where(entry => entry.Name != name)] }),
            () => true, cancellationToken);

    /// <summary>
    /// Registers or updates every server (and view) of an <c>mcpServers</c> document in one change: all of it, or none.
    /// Entries identical to the config file's are left alone (an export can be deployed back); ones that differ from
    /// the file's are refused.
    /// </summary>
    public async Task<RegistryResult<DeployResult>> DeployAsync(JsonObject document, CancellationToken cancellationToken)
    {
        var errors = new List<ConfigDiagnostic>();
        var servers = Section(document, "mcpServers", "servers", errors);
        var views = Section(document, "virtualServers", null, errors);
        var ignored = document.Select(pair => pair.Key).Where(key => key is not ("mcpServers" or "servers" or "virtualServers" or "$schema")).ToList();
        if (errors.Count > 0)
        {
            return RegistryResult.Fail<DeployResult>(RegistryProblem.Invalid("the document is not an `mcpServers` document", errors));
        }

        if (servers.Count == 0 && views.Count == 0)
        {
            return RegistryResult.Fail<DeployResult>(RegistryProblem.Invalid("the document has no servers", [new ConfigDiagnostic("mcpServers", null, "add at least one entry under `mcpServers`")]));
        }

        foreach (var (name, definition) in servers)
        {
            if (await UpstreamPolicyProblemAsync(name, definition, cancellationToken) is { } refused)
            {
                return RegistryResult.Fail<DeployResult>(refused);
            }
        }

        DeployResult? result = null;
        var problem = await composer.EditAsync(context =>
        {
            var created = new List<string>();
            var updated = new List<string>();
            var unchanged = new List<string>();
            var createdViews = new List<string>();
            var updatedViews = new List<string>();
            var unchangedViews = new List<string>();
            var readOnly = new List<string>();
            var next = context.Stored;
            foreach (var (name, definition) in servers)
            {
                if (context.FileConfig.FindServer(name) is { } fileServer)
                {
                    (JsonNode.DeepEquals(fileServer.Definition, definition) ? unchanged : readOnly).Add(name);
                    continue;
                }

                var existing = Stored(next.Servers, name);
                (existing is null ? created : SameDefinition(existing, definition) ? unchanged : updated).Add(name);
                next = next with { Servers = Upsert(next.Servers, name, definition, context.Now) };
            }

            foreach (var (name, definition) in views)
            {
                if (context.FileConfig.FindVirtualServer(name) is { } fileView)
                {
                    (JsonNode.DeepEquals(fileView.Definition, definition) ? unchangedViews : readOnly).Add($"virtualServers.{name}");
                    continue;
                }

                var existing = Stored(next.VirtualServers, name);
                (existing is null ? createdViews : SameDefinition(existing, definition) ? unchangedViews : updatedViews).Add(name);
                next = next with { VirtualServers = Upsert(next.VirtualServers, name, definition, context.Now) };
            }

            if (readOnly.Count > 0)
            {
                return RegistryProposal.Refuse(RegistryProblem.ReadOnly($"{string.Join(", ", readOnly.Select(name => $"`{name}`"))} differ from the config file's entries of the same name; the file wins: edit the file, or deploy under other names. Nothing was changed"));
            }

            result = new DeployResult(created, updated, unchanged, createdViews, updatedViews, unchangedViews, ignored);
            return RegistryProposal.To(next);
        }, store.SaveAsync, cancellationToken);
        return problem is null ? RegistryResult.Ok<DeployResult>(result!) : RegistryResult.Fail<DeployResult>(problem);
    }

    /// <summary>
    /// The whole running registry as a config file <c>serve --config</c> accepts: the file's settings but <c>storage</c>, then every
    /// server and view (file and stored) as written — except literal secrets, which are masked like everywhere else in the
    /// API (<c>${VAR}</c> references are kept, so a config that keeps its secrets in the environment exports whole).
    /// Set-aside entries are left out (they would not load).
    /// </summary>
    public JsonObject Export()
    {
        var config = composer.Composition.Config;
        var document = config.Settings?.DeepClone().AsObject() ?? [];

        // The export carries the registry itself; a copy served elsewhere must not share (and clash with) this store.
        document.Remove("storage");
        SecretFields.ReplaceInSettings(document, _ => Masked);
        var servers = new JsonObject();
        foreach (var server in config.Servers)
        {
            servers[server.Name] = Mask(server.Definition) ?? new JsonObject();
        }

        document["mcpServers"] = servers;
        if (config.VirtualServers.Count > 0)
        {
            var views = new JsonObject();
            foreach (var view in config.VirtualServers)
            {
                views[view.Name] = view.Definition?.DeepClone() ?? new JsonObject();
            }

            document["virtualServers"] = views;
        }

        return document;
    }

    private Task<RegistryResult<ServerInfo>> EditServerAsync(string name, Func<RegistryEditContext, RegistryProposal> edit, bool mustExist, CancellationToken cancellationToken) =>
        EditAsync(RegistryEntryKind.Server, name, mustExist, edit, () => GetServer(name)!, cancellationToken);

    /// <summary>One entry's change: refused when the entry is the file's (or missing and must exist), else <paramref name="edit"/>; <paramref name="answer"/> describes the result once it runs.</summary>
    private async Task<RegistryResult<T>> EditAsync<T>(RegistryEntryKind kind, string name, bool mustExist, Func<RegistryEditContext, RegistryProposal> edit, Func<T> answer, CancellationToken cancellationToken)
    {
        var problem = await composer.EditAsync(context =>
            CheckWritable(context, kind, name, mustExist) is { } refused ? RegistryProposal.Refuse(refused) : edit(context),
            store.SaveAsync, cancellationToken);
        return problem is null ? RegistryResult.Ok(answer()) : RegistryResult.Fail<T>(problem);
    }

    /// <summary>
    /// The SSRF check of a registered server's <c>url</c> (a patch without one changes nothing to check); the connect-time
    /// check in <see cref="Upstreams.UpstreamHttp"/> still applies to whatever the name resolves to later.
    /// </summary>
    private async Task<RegistryProblem?> UpstreamPolicyProblemAsync(string name, JsonObject definition, CancellationToken cancellationToken)
    {
        if (definition["command"] is not null)
        {
            return null;
        }

        // `url`, or each of `urls` (a URL or `{ url, weight }`).
        List<(string Key, JsonNode? Node)> candidates = [("url", definition["url"])];
        if (definition["urls"] is JsonArray urls)
        {
            candidates.AddRange(urls.Select((item, i) => ($"urls[{i}]", item is JsonObject entry ? entry["url"] : item)));
        }

        var policy = composer.Composition.Config.Security.Upstreams;
        foreach (var (key, node) in candidates)
        {
            if (node is not JsonValue value || !value.TryGetValue(out string? text)
                || EnvironmentExpander.Expand(text, Environment.GetEnvironmentVariable, []) is not { } expanded
                || !Uri.TryCreate(expanded, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                // Not a usable URL: the config reader reports it.
                continue;
            }

            if (await Security.UpstreamAddressPolicy.CheckUrlAsync(policy, url, cancellationToken) is { } refusal)
            {
                return RegistryProblem.Invalid($"server `{name}`: the {key} is refused by the upstream address policy",
                    [new ConfigDiagnostic($"{RegistryComposer.PathOf(RegistryEntryKind.Server, name)}.{key}", null, $"{refusal}; to allow it, {Security.UpstreamAddressPolicy.AllowHint}")]);
            }
        }

        return null;
    }

    private static RegistryProblem? CheckWritable(RegistryEditContext context, RegistryEntryKind kind, string name, bool mustExist)
    {
        var what = kind == RegistryEntryKind.Server ? "server" : "virtual server";
        var inFile = kind == RegistryEntryKind.Server ? context.FileConfig.FindServer(name) is not null : context.FileConfig.FindVirtualServer(name) is not null;
        if (inFile)
        {
            return RegistryProblem.ReadOnly($"{what} `{name}` is defined in the config file ({context.FileConfig.Source}); change it there (the gateway reloads the file)");
        }

        var stored = Stored(kind == RegistryEntryKind.Server ? context.Stored.Servers : context.Stored.VirtualServers, name);
        return mustExist && stored is null ? RegistryProblem.NotFound($"no {what} named `{name}` is registered") : null;
    }

    private static RegistryEntry? Stored(IReadOnlyList<RegistryEntry> entries, string name) =>
        entries.FirstOrDefault(entry => string.Equals(entry.Name, name, StringComparison.Ordinal));

    private static List<RegistryEntry> Upsert(IReadOnlyList<RegistryEntry> entries, string name, JsonObject definition, DateTimeOffset now)
    {
        var text = definition.ToJsonString();
        var list = entries.ToList();
        var index = list.FindIndex(entry => string.Equals(entry.Name, name, StringComparison.Ordinal));
        if (index < 0)
        {
            list.Add(new RegistryEntry(name, text, now, now));
        }
        else if (list[index].Definition != text)
        {
            list[index] = list[index] with { Definition = text, UpdatedAt = now };
        }

        return list;
    }

    private static bool SameDefinition(RegistryEntry entry, JsonObject definition) =>
        JsonNode.DeepEquals(ParseDefinition(entry.Definition), definition);

    private static JsonObject ParseDefinition(string text) => JsonNode.Parse(text) as JsonObject ?? [];

    private static bool IsEnabled(JsonObject definition) =>
        !(definition["enabled"] is JsonValue enabled && enabled.TryGetValue(out bool on) && !on)
        && !(definition["disabled"] is JsonValue disabled && disabled.TryGetValue(out bool off) && off);

    /// <summary>RFC 7396: objects merge key by key, null removes a key, anything else replaces.</summary>
    internal static JsonObject MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                MergePatch(targetObject, patchObject);
            }
            else
            {
                target[key] = value is JsonObject nested ? MergePatch([], nested) : value.DeepClone();
            }
        }

        return target;
    }

    private static List<(string Name, JsonObject Definition)> Section(JsonObject document, string key, string? alias, List<ConfigDiagnostic> errors)
    {
        var entries = new List<(string, JsonObject)>();
        var node = document[key];
        var used = key;
        if (alias is not null && document.ContainsKey(alias))
        {
            if (document.ContainsKey(key))
            {
                errors.Add(new ConfigDiagnostic(alias, null, $"`{key}` and `{alias}` are the same section; keep one"));
                return entries;
            }

            node = document[alias];
            used = alias;
        }

        if (node is null)
        {
            return entries;
        }

        if (node is not JsonObject section)
        {
            errors.Add(new ConfigDiagnostic(used, null, "must be an object from name to definition"));
            return entries;
        }

        foreach (var (name, value) in section)
        {
            if (value is JsonObject definition)
            {
                entries.Add((name, (JsonObject)definition.DeepClone()));
            }
            else if (value is null && key == "virtualServers")
            {
                entries.Add((name, []));
            }
            else
            {
                errors.Add(new ConfigDiagnostic($"{used}.{name}", null, "must be an object, e.g. { \"command\": \"npx\", \"args\": [...] } or { \"url\": \"https://...\" }"));
            }
        }

        return entries;
    }

    private static bool Matches(ServerInfo server, ServerQuery query)
    {
        var status = query.Status switch
        {
            ServerStatusFilter.Enabled => server.Enabled && server.State == "active",
            ServerStatusFilter.Disabled => !server.Enabled,
            ServerStatusFilter.Unhealthy => server.Enabled && server.Health?.Status == "unhealthy",
            _ => true,
        };
        if (!status)
        {
            return false;
        }

        if (query.Tag is { Length: > 0 } tag && !server.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        return query.Text is not { Length: > 0 } text
            || Contains(server.Name, text) || Contains(server.Description, text) || Contains(server.Command, text) || Contains(server.Url, text);
    }

    private static bool Contains(string? haystack, string needle) => haystack?.Contains(needle, StringComparison.OrdinalIgnoreCase) == true;

    private ServerInfo Describe(ServerConfig server, RegistryComposition composition)
    {
        var stored = server.Origin == EntryOrigin.Registry ? Stored(composer.Stored.Servers, server.Name) : null;
        return new ServerInfo(
            server.Name,
            OriginName(server.Origin),
            "active",
            server.Enabled,
            TransportName(server.Transport),
            server.Description,
            server.Tags,
            server.Command,
            server.IsRemote ? null : server.Args,
            server.Url?.ToString(),
            health.Find(server.Name) is { } checkedHealth
                ? new ServerHealthInfo(ServerHealth.Name(checkedHealth.Status), checkedHealth.LatencyMs, checkedHealth.LastCheck, checkedHealth.ConsecutiveFailures, checkedHealth.LastError)
                : null,
            Mask(server.Definition),
            stored?.CreatedAt,
            stored?.UpdatedAt,
            null,
            CircuitName(traffic.StateOf(server.Name)));
    }

    /// <summary>How the admin API names a breaker state.</summary>
    public static string? CircuitName(Observability.CircuitState? state) => state switch
    {
        Observability.CircuitState.Closed => "closed",
        Observability.CircuitState.HalfOpen => "halfOpen",
        Observability.CircuitState.Open => "open",
        _ => null,
    };

    private ServerInfo DescribeSetAside(SetAsideEntry entry)
    {
        var stored = Stored(composer.Stored.Servers, entry.Name);
        var definition = stored is null ? null : ParseDefinition(stored.Definition);
        return new ServerInfo(entry.Name, OriginName(EntryOrigin.Registry), "set-aside", definition is not null && IsEnabled(definition), null,
            definition?["description"]?.ToString(), [], null, null, null, null, Mask(definition), stored?.CreatedAt, stored?.UpdatedAt,
            [.. entry.Errors.Select(FieldError.From)]);
    }

    private VirtualServerInfo Describe(VirtualServerConfig view, RegistryComposition composition)
    {
        var stored = view.Origin == EntryOrigin.Registry ? Stored(composer.Stored.VirtualServers, view.Name) : null;
        return new VirtualServerInfo(view.Name, OriginName(view.Origin), "active", view.Description, view.Servers,
            [.. composition.Config.MembersOf(view).Select(server => server.Name)], $"/virtual/{view.Name}/mcp",
            view.Definition?.DeepClone().AsObject(), stored?.CreatedAt, stored?.UpdatedAt, null);
    }

    private VirtualServerInfo DescribeSetAsideView(SetAsideEntry entry)
    {
        var stored = Stored(composer.Stored.VirtualServers, entry.Name);
        var definition = stored is null ? null : ParseDefinition(stored.Definition);
        return new VirtualServerInfo(entry.Name, OriginName(EntryOrigin.Registry), "set-aside", definition?["description"]?.ToString(), [], [],
            $"/virtual/{entry.Name}/mcp", definition, stored?.CreatedAt, stored?.UpdatedAt, [.. entry.Errors.Select(FieldError.From)]);
    }

    private static string OriginName(EntryOrigin origin) => origin == EntryOrigin.File ? "file" : "registry";

    private static string TransportName(ServerTransport transport) => transport switch
    {
        ServerTransport.Stdio => "stdio",
        ServerTransport.StreamableHttp => "streamable-http",
        ServerTransport.Sse => "sse",
        _ => "http",
    };

    /// <summary>A copy with header and environment values masked unless they are <c>${VAR}</c> references.</summary>
    private static JsonObject? Mask(JsonObject? definition)
    {
        if (definition is null)
        {
            return null;
        }

        var copy = definition.DeepClone().AsObject();
        SecretFields.ReplaceInServer(copy, _ => Masked);
        return copy;
    }

}
