using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Aggregation.Naming;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Upstreams;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Aggregation;

/// <summary>The member servers of a view as one client (or the stateless pool) reaches them.</summary>
internal interface IViewMembers
{
    VirtualServerConfig View { get; }

    IReadOnlyList<ServerConfig> Members { get; }

    UpstreamLink LinkFor(ServerConfig member);

    /// <summary>The guardrails of the snapshot the members come from (blocked tools leave the merged list).</summary>
    GuardrailOptions Guardrails { get; }

    /// <summary>Keeps this requester's request ids apart from others' on shared links.</summary>
    object? Requester { get; }
}

/// <summary>
/// A virtual server for one client: merges the members' tools, prompts, resources and templates (filters, naming,
/// overrides, pagination) and routes each request to the member that owns the name or URI, with the original name.
/// </summary>
internal sealed class ViewSession(IViewMembers members, GatewayOptions options, LastKnownLists lastKnown, ILogger logger, Guardrails.ToolPins? pins = null)
{
    /// <summary>How long a list waits for slow members before answering without them (they keep filling the cache).</summary>
    public static readonly TimeSpan ListDeadline = TimeSpan.FromSeconds(5);

    private const int MaxUpstreamPages = 1000;

    private readonly MergedList?[] _merged = new MergedList?[4];
    private readonly SemaphoreSlim[] _building = [new(1, 1), new(1, 1), new(1, 1), new(1, 1)];
    private readonly ConcurrentDictionary<(string Server, CatalogKind Kind), JsonArray> _memberLists = new();
    private readonly ConcurrentDictionary<(string Server, CatalogKind Kind), Task<JsonArray>> _fetching = new();
    private long _nextInternalId;

    /// <summary>The tool pins' generation the cached merged tools were built at (a tool withheld or approved since rebuilds them).</summary>
    private long _toolsPinGeneration;

    public VirtualServerConfig View => members.View;

    private int PageSize => View.PageSize ?? options.PageSize;

    /// <summary>Connects every member and answers <c>initialize</c> as the gateway: capabilities are the union of the members'.</summary>
    public async Task<JsonObject> InitializeResultAsync(string protocolVersion, CancellationToken cancellationToken)
    {
        var handshakes = await Task.WhenAll(members.Members.Select(async member =>
        {
            try
            {
                var link = members.LinkFor(member);
                await link.GetSessionAsync(cancellationToken, waitForBackoff: false);
                return link.Handshake;
            }
            catch (UpstreamException ex)
            {
                GatewayLog.ViewMemberUnavailable(logger, View.Name, member.Name, ex.Reason);
                return null;
            }
        }));

        bool Any(string capability) => handshakes.Any(h => h?.Capabilities.ContainsKey(capability) == true);
        var capabilities = new JsonObject();
        if (Any("tools") || members.Members.Count == 0)
        {
            capabilities["tools"] = new JsonObject { ["listChanged"] = true };
        }

        if (Any("prompts"))
        {
            capabilities["prompts"] = new JsonObject { ["listChanged"] = true };
        }

        if (Any("resources"))
        {
            var subscribe = handshakes.Any(h => (bool?)(h?.Capabilities["resources"] as JsonObject)?["subscribe"] == true);
            capabilities["resources"] = new JsonObject { ["listChanged"] = true, ["subscribe"] = subscribe };
        }

        if (Any("logging"))
        {
            capabilities["logging"] = new JsonObject();
        }

        if (Any("completions"))
        {
            capabilities["completions"] = new JsonObject();
        }

        var result = new JsonObject
        {
            ["protocolVersion"] = protocolVersion,
            ["capabilities"] = capabilities,
            ["serverInfo"] = new JsonObject { ["name"] = $"mcp-gateway/{View.Name}", ["version"] = GatewayVersion.Current },
        };
        if (View.Description is { } description)
        {
            result["instructions"] = description;
        }

        return result;
    }

    /// <param name="access">What the caller may see (authorization); null sees everything the view exposes.</param>
    public Task<JsonRpcMessage> HandleAsync(JsonRpcRequest request, IClientChannel? channel, CancellationToken cancellationToken, RequestTelemetry? telemetry = null, ICatalogAccess? access = null) => request.Method switch
    {
        McpMethods.Ping => Task.FromResult<JsonRpcMessage>(new JsonRpcResponse { Id = request.Id, Result = new JsonObject() }),
        "tools/list" => ListAsync(CatalogKind.Tools, request, access, cancellationToken),
        "prompts/list" => ListAsync(CatalogKind.Prompts, request, access, cancellationToken),
        "resources/list" => ListAsync(CatalogKind.Resources, request, access, cancellationToken),
        "resources/templates/list" => ListAsync(CatalogKind.ResourceTemplates, request, access, cancellationToken),
        "tools/call" => RouteByNameAsync(CatalogKind.Tools, request, channel, "Unknown tool", telemetry, access, cancellationToken),
        "prompts/get" => RouteByNameAsync(CatalogKind.Prompts, request, channel, "Unknown prompt", telemetry, access, cancellationToken),
        "resources/read" or "resources/subscribe" or "resources/unsubscribe" => RouteByUriAsync(request, channel, telemetry, access, cancellationToken),
        "completion/complete" => CompleteAsync(request, channel, telemetry, access, cancellationToken),
        "logging/setLevel" => FanOutAsync(request, "logging", cancellationToken),
        _ => Task.FromResult<JsonRpcMessage>(GatewayErrors.Create(request.Id, GatewayErrors.MethodNotFound, $"Method not found: {request.Method}")),
    };

    /// <summary>The member and original name behind an exposed tool name, and the tool as listed (with its inputSchema); null when unknown.</summary>
    public async Task<(string Server, string Tool, JsonObject Item)?> FindToolAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(CatalogKind.Tools, name, cancellationToken) is { } entry ? (entry.Server, entry.OriginalKey, entry.Item) : null;

    /// <summary>Forgets every list (the view's configuration changed).</summary>
    public void InvalidateAll()
    {
        _memberLists.Clear();
        for (var i = 0; i < _merged.Length; i++)
        {
            Volatile.Write(ref _merged[i], null);
        }
    }

    /// <summary>A member said its list changed: forget it (this session's copy) so the next list asks again.</summary>
    public void Invalidate(string server, CatalogKind kind)
    {
        _memberLists.TryRemove((server, kind), out _);
        _merged[(int)kind] = null;
        if (kind == CatalogKind.Resources)
        {
            _memberLists.TryRemove((server, CatalogKind.ResourceTemplates), out _);
            _merged[(int)CatalogKind.ResourceTemplates] = null;
        }
    }

    private async Task<JsonRpcMessage> ListAsync(CatalogKind kind, JsonRpcRequest request, ICatalogAccess? access, CancellationToken cancellationToken)
    {
        var offset = 0;
        if (request.Params?["cursor"] is JsonValue cursorValue && (!cursorValue.TryGetValue(out string? cursor) || !TryDecodeCursor(cursor, out offset)))
        {
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, "Invalid cursor: pass back a nextCursor this server returned");
        }

        var (merged, failure) = await GetMergedAsync(kind, cancellationToken);
        if (merged is null)
        {
            return GatewayErrors.Unavailable(request.Id, failure!.Value.Server, failure.Value.Reason);
        }

        // Cursors count the entries this caller may see, so pages stay full and stable for it.
        var visible = access is null ? merged.Entries : Visible(merged.Entries, kind, access);
        if (offset > visible.Count)
        {
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, "Invalid cursor: it points past the end of the list");
        }

        var page = new JsonArray();
        var end = Math.Min(visible.Count, offset + PageSize);
        for (var i = offset; i < end; i++)
        {
            page.Add(visible[i].Item.DeepClone());
        }

        var result = new JsonObject { [kind.ResultProperty()] = page };
        if (end < visible.Count)
        {
            result["nextCursor"] = EncodeCursor(end);
        }

        return new JsonRpcResponse { Id = request.Id, Result = result };
    }

    private static List<CatalogEntry> Visible(IReadOnlyList<CatalogEntry> entries, CatalogKind kind, ICatalogAccess access)
    {
        var visible = new List<CatalogEntry>(entries.Count);
        foreach (var entry in entries)
        {
            if (access.Allows(kind, entry.Server, entry.OriginalKey))
            {
                visible.Add(entry);
            }
        }

        return visible;
    }

    private async Task<JsonRpcMessage> RouteByNameAsync(CatalogKind kind, JsonRpcRequest request, IClientChannel? channel, string unknown, RequestTelemetry? telemetry, ICatalogAccess? access, CancellationToken cancellationToken)
    {
        var name = (string?)request.Params?["name"];
        if (name is null)
        {
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, "Missing 'name'");
        }

        var entry = await FindAsync(kind, name, cancellationToken);
        if (entry is null || (kind == CatalogKind.Tools && pins is not null && Member(entry.Server) is { } owner && pins.IsWithheld(owner, entry.OriginalKey))
            || access?.Allows(kind, entry.Server, entry.OriginalKey) == false)
        {
            // Filtered, withheld, refused and unknown names get the same answer: nothing tells them apart.
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, $"{unknown}: {name}");
        }

        // The request is the gateway's own parse of the client's body: rewrite it in place.
        var parameters = (JsonObject)request.Params!;
        parameters["name"] = entry.OriginalKey;
        return await ForwardToAsync(entry.Server, request, parameters, channel, telemetry, cancellationToken);
    }

    private async Task<JsonRpcMessage> RouteByUriAsync(JsonRpcRequest request, IClientChannel? channel, RequestTelemetry? telemetry, ICatalogAccess? access, CancellationToken cancellationToken)
    {
        var uri = (string?)request.Params?["uri"];
        if (uri is null)
        {
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, "Missing 'uri'");
        }

        var (resources, _) = await GetMergedAsync(CatalogKind.Resources, cancellationToken);
        if (resources?.Conflicts.GetValueOrDefault(uri) is { } servers && (access is null || servers.Split(", ").Any(server => access.Allows(CatalogKind.Resources, server, uri))))
        {
            return GatewayErrors.Create(request.Id, -32002, $"Resource {uri} is served by more than one member ({servers}) and this view's resourceConflicts is 'error'", new JsonObject { ["uri"] = uri });
        }

        var server = await OwnerOfUriAsync(uri, cancellationToken);
        if (server is null || access?.Allows(CatalogKind.Resources, server, uri) == false)
        {
            return GatewayErrors.Create(request.Id, -32002, $"Resource not found: {uri}", new JsonObject { ["uri"] = uri });
        }

        return await ForwardToAsync(server, request, request.Params, channel, telemetry, cancellationToken);
    }

    private async Task<string?> OwnerOfUriAsync(string uri, CancellationToken cancellationToken)
    {
        if (!View.Resources.Allows(uri))
        {
            return null;
        }

        if (await FindAsync(CatalogKind.Resources, uri, cancellationToken) is { } exact)
        {
            return exact.Server;
        }

        var (templates, _) = await GetMergedAsync(CatalogKind.ResourceTemplates, cancellationToken);
        foreach (var template in templates?.Entries ?? [])
        {
            if (UriTemplateMatcher.Matches(template.OriginalKey, uri) && Member(template.Server)?.Resources.Allows(uri) == true)
            {
                return template.Server;
            }
        }

        // One member: it is the only place the URI can be.
        return members.Members.Count == 1 && members.Members[0].Resources.Allows(uri) ? members.Members[0].Name : null;
    }

    private async Task<JsonRpcMessage> CompleteAsync(JsonRpcRequest request, IClientChannel? channel, RequestTelemetry? telemetry, ICatalogAccess? access, CancellationToken cancellationToken)
    {
        var reference = request.Params?["ref"] as JsonObject;
        var parameters = request.Params as JsonObject ?? [];
        switch ((string?)reference?["type"])
        {
            case "ref/prompt" when (string?)reference!["name"] is { } promptName:
                var prompt = await FindAsync(CatalogKind.Prompts, promptName, cancellationToken);
                if (prompt is null || access?.Allows(CatalogKind.Prompts, prompt.Server, prompt.OriginalKey) == false)
                {
                    return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, $"Unknown prompt: {promptName}");
                }

                parameters["ref"]!["name"] = prompt.OriginalKey;
                return await ForwardToAsync(prompt.Server, request, parameters, channel, telemetry, cancellationToken);
            case "ref/resource" when (string?)reference!["uri"] is { } uri:
                var owner = (await FindAsync(CatalogKind.ResourceTemplates, uri, cancellationToken))?.Server ?? await OwnerOfUriAsync(uri, cancellationToken);
                return owner is null || access?.Allows(CatalogKind.Resources, owner, uri) == false
                    ? GatewayErrors.Create(request.Id, -32002, $"Resource not found: {uri}", new JsonObject { ["uri"] = uri })
                    : await ForwardToAsync(owner, request, parameters, channel, telemetry, cancellationToken);
            default:
                return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, "completion/complete needs ref.type ref/prompt (with name) or ref/resource (with uri)");
        }
    }

    /// <summary>Sends to every member that supports it (logging/setLevel) and answers once all have.</summary>
    private async Task<JsonRpcMessage> FanOutAsync(JsonRpcRequest request, string capability, CancellationToken cancellationToken)
    {
        await Task.WhenAll(members.Members.Select(async member =>
        {
            var link = members.LinkFor(member);
            if (link.Handshake?.Capabilities.ContainsKey(capability) == true)
            {
                await link.ForwardAsync(InternalRequest(request.Method, request.Params?.DeepClone()), null, cancellationToken, members.Requester);
            }
        }));
        return new JsonRpcResponse { Id = request.Id, Result = new JsonObject() };
    }

    private async Task<JsonRpcMessage> ForwardToAsync(string server, JsonRpcRequest request, JsonNode? parameters, IClientChannel? channel, RequestTelemetry? telemetry, CancellationToken cancellationToken)
    {
        if (Member(server) is not { } member)
        {
            return GatewayErrors.Unavailable(request.Id, server, "it is no longer a member of this view");
        }

        var forwarded = new JsonRpcRequest { Id = request.Id, Method = request.Method, Params = parameters };
        return await members.LinkFor(member).ForwardAsync(forwarded, channel, cancellationToken, members.Requester, telemetry);
    }

    private ServerConfig? Member(string name)
    {
        foreach (var member in members.Members)
        {
            if (member.Name == name)
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>Looks a key up in the merged list, rebuilding it once if the key is not there (the list may be stale).</summary>
    private async Task<CatalogEntry?> FindAsync(CatalogKind kind, string key, CancellationToken cancellationToken)
    {
        var (merged, _) = await GetMergedAsync(kind, cancellationToken);
        if (merged?.Find(key) is { } entry)
        {
            return entry;
        }

        _merged[(int)kind] = null;
        (merged, _) = await GetMergedAsync(kind, cancellationToken);
        return merged?.Find(key);
    }

    private async Task<(MergedList? List, (string Server, string Reason)? Failure)> GetMergedAsync(CatalogKind kind, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _merged[(int)kind]) is { } cached && (kind != CatalogKind.Tools || pins is null || Volatile.Read(ref _toolsPinGeneration) == pins.Generation))
        {
            return (cached, null);
        }

        await _building[(int)kind].WaitAsync(cancellationToken);
        try
        {
            var pinGeneration = pins?.Generation ?? 0;
            if (Volatile.Read(ref _merged[(int)kind]) is { } built && (kind != CatalogKind.Tools || Volatile.Read(ref _toolsPinGeneration) == pinGeneration))
            {
                return (built, null);
            }

            var fetches = members.Members.Select(member => (Member: member, Task: MemberListAsync(member, kind, cancellationToken))).ToList();
            try
            {
                await Task.WhenAll(fetches.Select(f => f.Task)).WaitAsync(ListDeadline, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Slow members are answered for below; their fetch goes on and fills the cache for next time.
            }
            catch (UpstreamException)
            {
                // Reported per member below.
            }

            var lists = new List<(ServerConfig Member, JsonArray Items)>();
            var failed = new List<string>();
            foreach (var (member, task) in fetches)
            {
                if (task.IsCompletedSuccessfully)
                {
                    lists.Add((member, task.Result));
                    continue;
                }

                var reason = task.IsFaulted ? (task.Exception!.InnerException as UpstreamException)?.Reason ?? task.Exception.InnerException!.Message : $"no answer within {ListDeadline.TotalSeconds:0} s";
                GatewayLog.ViewMemberListFailed(logger, View.Name, member.Name, kind.ListMethod(), reason);
                failed.Add(member.Name);
                switch (View.OnUpstreamFailure)
                {
                    case UpstreamFailureMode.Fail:
                        return (null, (member.Name, $"{kind.ListMethod()} failed: {reason}"));
                    case UpstreamFailureMode.ServeLastKnown when lastKnown.Recall(member.Name, kind) is { } remembered:
                        lists.Add((member, remembered));
                        break;
                }
            }

            var merged = Merge(kind, lists);

            // A list with a member missing is not kept: the next request tries that member again.
            if (failed.Count == 0)
            {
                if (kind == CatalogKind.Tools)
                {
                    Volatile.Write(ref _toolsPinGeneration, pinGeneration);
                }

                Volatile.Write(ref _merged[(int)kind], merged);
            }

            return (merged, null);
        }
        finally
        {
            _building[(int)kind].Release();
        }
    }

    /// <summary>One member's whole list (all upstream pages), from this session's cache or the member itself.</summary>
    private Task<JsonArray> MemberListAsync(ServerConfig member, CatalogKind kind, CancellationToken cancellationToken)
    {
        if (_memberLists.TryGetValue((member.Name, kind), out var cached))
        {
            return Task.FromResult(cached);
        }

        // A fetch that outlived an earlier deadline is joined rather than repeated.
        return _fetching.GetOrAdd((member.Name, kind), _ => FetchAsync(member, kind));
    }

    private async Task<JsonArray> FetchAsync(ServerConfig member, CatalogKind kind)
    {
        try
        {
            var link = members.LinkFor(member);
            await link.GetSessionAsync(CancellationToken.None, waitForBackoff: false);
            if (link.Handshake?.Capabilities.ContainsKey(kind.Capability()) != true)
            {
                return [];
            }

            var items = new JsonArray();
            string? cursor = null;
            for (var page = 0; page < MaxUpstreamPages; page++)
            {
                var parameters = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor };
                var answer = await link.ForwardAsync(InternalRequest(kind.ListMethod(), parameters), null, CancellationToken.None, members.Requester);
                if (answer is JsonRpcError error)
                {
                    throw new UpstreamException(member.Name, $"{kind.ListMethod()} failed: {error.Error.Message}");
                }

                // The answer is this fetch's own parse: move its items instead of copying them.
                var result = ((JsonRpcResponse)answer).Result as JsonObject;
                if (result?[kind.ResultProperty()] is JsonArray pageItems)
                {
                    var moved = pageItems.ToArray();
                    pageItems.Clear();
                    foreach (var item in moved)
                    {
                        items.Add(item);
                    }
                }

                cursor = (string?)result?["nextCursor"];
                if (string.IsNullOrEmpty(cursor))
                {
                    break;
                }
            }

            _memberLists[(member.Name, kind)] = items;
            lastKnown.Remember(member.Name, kind, items);
            return items;
        }
        finally
        {
            _fetching.TryRemove((member.Name, kind), out _);
        }
    }

    private MergedList Merge(CatalogKind kind, List<(ServerConfig Member, JsonArray Items)> lists)
    {
        var keyProperty = kind.KeyProperty();
        var entries = new List<CatalogEntry>();
        var taken = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicts = new Dictionary<string, string>(StringComparer.Ordinal);
        var viewFilter = kind switch { CatalogKind.Tools => View.Tools, CatalogKind.Prompts => View.Prompts, _ => View.Resources };
        var naming = NamingPolicy.For(View.Naming, options.ToolNameSeparator);
        foreach (var (member, items) in lists.OrderBy(l => IndexOf(l.Member.Name)))
        {
            var memberFilter = kind switch { CatalogKind.Tools => member.Tools, CatalogKind.Prompts => member.Prompts, _ => member.Resources };
            foreach (var node in items)
            {
                if (node is not JsonObject item || (string?)item[keyProperty] is not { } key || !memberFilter.Allows(key)
                    || (kind == CatalogKind.Tools && members.Guardrails.IsBlocked(member.Name, key, options.ToolNameSeparator))
                    || (kind == CatalogKind.Tools && pins is not null && !pins.Admit(member, item)))
                {
                    continue;
                }

                var exposed = kind.IsRenamed() ? naming.Expose(member.Name, key) : key;
                if (!viewFilter.Allows(exposed))
                {
                    continue;
                }

                var clone = (JsonObject)item.DeepClone();
                if (kind.IsRenamed() && View.Overrides.TryGetValue(exposed, out var over))
                {
                    if (over.Hidden)
                    {
                        continue;
                    }

                    exposed = over.Name ?? exposed;
                    if (over.Title is not null)
                    {
                        clone["title"] = over.Title;
                    }

                    if (over.Description is not null)
                    {
                        clone["description"] = over.Description;
                    }

                    if (over.Annotations is not null)
                    {
                        var annotations = clone["annotations"] as JsonObject ?? [];
                        foreach (var (name, value) in over.Annotations)
                        {
                            annotations[name] = value?.DeepClone();
                        }

                        clone["annotations"] = annotations;
                    }
                }

                clone[keyProperty] = exposed;
                if (taken.TryGetValue(exposed, out var owner))
                {
                    // Same name or URI from two members: the first member (in view order) keeps it, unless the view
                    // says a duplicated URI is an error: then neither serves it and reads say why.
                    GatewayLog.ViewCollision(logger, View.Name, exposed, owner, member.Name);
                    if (kind == CatalogKind.Resources && View.ResourceConflicts == ResourceConflictMode.Error)
                    {
                        conflicts[exposed] = $"{owner}, {member.Name}";
                        entries.RemoveAll(e => e.ExposedKey == exposed);
                    }

                    continue;
                }

                taken[exposed] = member.Name;
                entries.Add(new CatalogEntry(exposed, member.Name, key, clone));
            }
        }

        return new MergedList(entries, conflicts);
    }

    private int IndexOf(string server)
    {
        for (var i = 0; i < members.Members.Count; i++)
        {
            if (members.Members[i].Name == server)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private JsonRpcRequest InternalRequest(string method, JsonNode? parameters) => new()
    {
        // The gateway's own requests never collide with a client's ids on the link.
        Id = new RequestId($"mcp-gateway/{Interlocked.Increment(ref _nextInternalId)}"),
        Method = method,
        Params = parameters,
    };

    /// <summary>Opaque to clients; an offset into the merged list.</summary>
    private static string EncodeCursor(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"mcpgw:{offset}"));

    private static bool TryDecodeCursor(string? cursor, out int offset)
    {
        offset = 0;
        if (string.IsNullOrEmpty(cursor))
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("mcpgw:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(6), out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
