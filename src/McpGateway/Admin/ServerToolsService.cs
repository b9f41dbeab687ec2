using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.Aggregation;
using McpGateway.Configuration;
using McpGateway.Protocol;
using McpGateway.Sessions;
using McpGateway.Upstreams;
using ModelContextProtocol.Protocol;

namespace McpGateway.Admin;

/// <summary>The tools one server offers, as the admin API and the management MCP server show them.</summary>
/// <param name="Tools">The server's own tool objects, unfiltered and unrenamed, as it listed them.</param>
/// <param name="Exposed">Tool names the server's own <c>tools</c> filter and the global blocked-tool list let through to views.</param>
/// <param name="FetchedAt">When the list was fetched from the server.</param>
public sealed record ServerTools(string Server, JsonArray Tools, IReadOnlyList<string> Exposed, DateTimeOffset FetchedAt);

/// <summary>
/// Lists servers' tools for operators over the shared upstream link (the one stateless clients use; opened on first
/// use), caching each server's list until it is refreshed or the server's connection settings change.
/// </summary>
internal sealed class ServerToolsService(SharedLinks links, LastKnownLists lastKnown, IGatewayConfigProvider config, TimeProvider time)
{
    private const int MaxPages = 100;

    /// <summary>Why a disabled server's tools are not listed: connecting would start what the operator switched off.</summary>
    public static string DisabledMessage(string name) => $"server `{name}` is disabled; enable it to connect and list its tools";
    private readonly ConcurrentDictionary<string, (ServerConfig Server, ServerTools Tools)> _cache = new(StringComparer.Ordinal);
    private long _nextId;

    /// <summary>The server's tools; from the cache unless <paramref name="refresh"/>. Throws <see cref="UpstreamException"/> when the server cannot be reached.</summary>
    public async Task<ServerTools> GetAsync(ServerConfig server, bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && _cache.TryGetValue(server.Name, out var cached) && ConfigChange.SameConnection(cached.Server, config.Current.Gateway, server, config.Current.Gateway) && cached.Server.Tools == server.Tools)
        {
            return cached.Tools;
        }

        var link = links.For(server);
        await link.GetSessionAsync(cancellationToken, waitForBackoff: false);
        var tools = new JsonArray();
        if (link.Handshake?.Capabilities.ContainsKey("tools") == true)
        {
            string? cursor = null;
            for (var page = 0; page < MaxPages; page++)
            {
                var parameters = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor };
                var answer = await link.ForwardAsync(new JsonRpcRequest
                {
                    Id = new RequestId($"mcp-gateway/admin/{Interlocked.Increment(ref _nextId)}"),
                    Method = "tools/list",
                    Params = parameters,
                }, null, cancellationToken);
                if (answer is JsonRpcError error)
                {
                    throw new UpstreamException(server.Name, $"tools/list failed: {error.Error.Message}");
                }

                var result = ((JsonRpcResponse)answer).Result as JsonObject;
                if (result?["tools"] is JsonArray items)
                {
                    foreach (var item in items.ToArray())
                    {
                        tools.Add(item?.DeepClone());
                    }
                }

                cursor = (string?)result?["nextCursor"];
                if (string.IsNullOrEmpty(cursor))
                {
                    break;
                }
            }
        }

        var gateway = config.Current.Gateway;
        var exposed = tools.Select(tool => McpParams.String(tool, "name")).OfType<string>()
            .Where(name => server.Tools.Allows(name) && !gateway.Guardrails.IsBlocked(server.Name, name, gateway.ToolNameSeparator)).ToList();
        var fetched = new ServerTools(server.Name, tools, exposed, time.GetUtcNow());
        _cache[server.Name] = (server, fetched);
        lastKnown.Remember(server.Name, CatalogKind.Tools, (JsonArray)tools.DeepClone());
        return fetched;
    }

    /// <summary>Reconnects to the server (a new upstream session, a restarted process for stdio) and lists its tools again.</summary>
    public async Task<ServerTools> RefreshAsync(ServerConfig server, CancellationToken cancellationToken)
    {
        _cache.TryRemove(server.Name, out _);
        await links.ForgetAsync([server.Name]);
        return await GetAsync(server, refresh: true, cancellationToken);
    }

    /// <summary>Every enabled server's tools; a server that cannot be reached gets its error instead.</summary>
    public async Task<IReadOnlyList<(string Server, ServerTools? Tools, string? Error)>> GetAllAsync(CancellationToken cancellationToken)
    {
        var servers = config.Current.Servers.Where(server => server.Enabled).ToList();
        var results = await Task.WhenAll(servers.Select(async server =>
        {
            try
            {
                return (server.Name, (ServerTools?)await GetAsync(server, refresh: false, cancellationToken), (string?)null);
            }
            catch (UpstreamException ex)
            {
                return (server.Name, null, ex.Message);
            }
        }));
        return results;
    }
}
