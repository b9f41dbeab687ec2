using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Protocol;
using McpGateway.Sessions;
using McpGateway.Upstreams;
using ModelContextProtocol.Protocol;

namespace McpGateway.Policy;

/// <summary>
/// Opt-in caching of <c>resources/read</c> (URIs matching <c>cache.resources.uris</c>, on <c>/servers/{name}</c>) and of
/// <c>tools/call</c> (tools matching <c>cache.tools.names</c> that the upstream annotates <c>readOnlyHint</c>, on any
/// endpoint). Keys include the arguments and, unless <c>perPrincipal: false</c>, the principal.
/// </summary>
internal sealed class CacheFilter(ResponseCache cache, UpstreamTraffic traffic) : IForwardFilter
{
    // Most requests pass straight on: no state machine unless caching may apply.
    public Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next) =>
        context.Handler is not null || !MayCache(context) ? next(context) : CacheAsync(context, next);

    /// <summary>A cheap first look: the method, and whether the target has any cache setting for it.</summary>
    private static bool MayCache(ForwardContext context) => context.Request.Method switch
    {
        McpMethods.ResourcesRead => context.Target is ServerTarget { Server.Cache.ResourceUris.Count: > 0 },
        McpMethods.ToolsCall => context.Target switch
        {
            ServerTarget server => server.Server.Cache.ToolNames.Count > 0,
            ViewTarget view => view.Members.Any(m => m.Cache.ToolNames.Count > 0),
            _ => false,
        },
        _ => false,
    };

    private async Task<JsonRpcMessage> CacheAsync(ForwardContext context, ForwardDelegate next)
    {
        if (await CacheableAsync(context) is not var (server, kind, key, ttl))
        {
            return await next(context);
        }

        if (cache.Find(server, kind, key) is JsonObject hit)
        {
            return new JsonRpcResponse { Id = context.Request.Id, Result = hit };
        }

        var answer = await next(context);
        cache.Keep(server, kind, key, answer, ttl);
        return answer;
    }

    private async ValueTask<(ServerConfig Server, string Kind, string Key, TimeSpan Ttl)?> CacheableAsync(ForwardContext context)
    {
        var request = context.Request;
        var principal = context.Inbound.Principal.Id;
        if (request.Method == McpMethods.ResourcesRead)
        {
            return context.Target is ServerTarget { Server: { Cache.ResourceUris.Count: > 0 } server }
                && McpParams.String(request.Params, "uri") is { } uri && Matches(server.Cache.ResourceUris, uri)
                ? (server, ResponseCache.Resources, ResponseCache.ResourceKey(uri, server.Cache.PerPrincipal ? principal : null), server.Cache.ResourceTtl)
                : null;
        }

        if (McpParams.String(request.Params, "name") is not { } name)
        {
            return null;
        }

        (ServerConfig Server, string Tool)? target = null;
        switch (context.Target)
        {
            case ServerTarget { Server: { Cache.ToolNames.Count: > 0 } server }:
                target = (server, name);
                break;
            case ViewTarget view when view.Members.Any(m => m.Cache.ToolNames.Count > 0) && (context.Session?.View ?? context.StatelessView) is { } catalog:
                if (await catalog.FindToolAsync(name, context.Aborted) is { } found && view.Members.FirstOrDefault(m => m.Name == found.Server) is { } member)
                {
                    target = (member, found.Tool);
                }

                break;
        }

        if (target is not var (owner, tool) || !Matches(owner.Cache.ToolNames, tool) || !traffic.For(owner).IsReadOnly(tool))
        {
            return null;
        }

        var arguments = Canonical(request.Params?["arguments"])?.ToJsonString() ?? "{}";
        return (owner, ResponseCache.Tools, $"{tool}\n{arguments}\n{(owner.Cache.PerPrincipal ? principal : null)}", owner.Cache.ToolTtl);
    }

    private static bool Matches(IReadOnlyList<string> globs, string text) => globs.Any(glob => Glob.IsMatch(glob, text));

    /// <summary>The same arguments in any property order make the same key.</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Canonical)]),
        _ => node?.DeepClone(),
    };
}
