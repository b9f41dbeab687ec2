using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using ModelContextProtocol.Protocol;

namespace McpGateway.Upstreams;

/// <summary>
/// Answers kept per server under its <c>cache:</c> settings: lists (dropped by the server's <c>list_changed</c>),
/// resource reads (dropped by <c>resources/updated</c> of the URI) and read-only tool results, each until its TTL.
/// Only results are kept, never errors or <c>isError</c> tool results; each hit hands out a copy.
/// </summary>
internal sealed class ResponseCache(TimeProvider time, GatewayMetrics metrics, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory)
{
    private readonly Microsoft.Extensions.Logging.ILogger _logger = loggerFactory.CreateLogger("McpGateway.Upstreams.Cache");

    /// <summary>Per server and kind; beyond it, expired entries are swept and then new ones are not kept.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, ServerEntries> _servers = new(StringComparer.Ordinal);

    public const string Lists = "lists";

    public const string Resources = "resources";

    public const string Tools = "tools";

    public JsonNode? Find(ServerConfig server, string kind, string key)
    {
        var entries = For(server).Of(kind);
        if (entries.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow())
        {
            metrics.RecordCache(server.Name, kind, hit: true);
            return entry.Result.DeepClone();
        }

        metrics.RecordCache(server.Name, kind, hit: false);
        return null;
    }

    public void Keep(ServerConfig server, string kind, string key, JsonRpcMessage answer, TimeSpan ttl)
    {
        if (answer is not JsonRpcResponse { Result: JsonObject result } || result["isError"] is JsonValue error && error.TryGetValue(out bool failed) && failed)
        {
            return;
        }

        var entries = For(server).Of(kind);
        var now = time.GetUtcNow();
        if (entries.Count >= MaxEntries)
        {
            foreach (var (stale, entry) in entries)
            {
                if (entry.Expires <= now)
                {
                    entries.TryRemove(stale, out _);
                }
            }

            if (entries.Count >= MaxEntries)
            {
                return;
            }
        }

        entries[key] = new Entry(result.DeepClone(), now + ttl);
    }

    /// <summary>What an upstream notification makes stale.</summary>
    public void OnNotification(string server, JsonRpcNotification notification)
    {
        if (!_servers.TryGetValue(server, out var entries))
        {
            return;
        }

        GatewayLog.CacheInvalidated(_logger, server, notification.Method);
        switch (notification.Method)
        {
            case "notifications/tools/list_changed":
                entries.DropLists(McpMethods.ToolsList);
                break;
            case "notifications/prompts/list_changed":
                entries.DropLists(McpMethods.PromptsList);
                break;
            case "notifications/resources/list_changed":
                entries.DropLists(McpMethods.ResourcesList);
                entries.DropLists(McpMethods.ResourceTemplatesList);
                break;
            case "notifications/resources/updated" when McpParams.String(notification.Params, "uri") is { } uri:
                entries.DropResource(uri);
                break;
        }
    }

    /// <summary>The entries of a server under its current settings: changed settings start empty.</summary>
    private ServerEntries For(ServerConfig server)
    {
        var current = _servers.GetValueOrDefault(server.Name);
        return current is not null && current.Options.Equals(server.Cache)
            ? current
            : _servers.AddOrUpdate(server.Name, _ => new ServerEntries(server.Cache), (_, existing) => existing.Options.Equals(server.Cache) ? existing : new ServerEntries(server.Cache));
    }

    /// <summary>A list key starts with its method and a resource key with its URI, so both can be dropped by prefix.</summary>
    public static string ListKey(string method, string? principal, string? cursor) => $"{method}\n{principal}\n{cursor}";

    public static string ResourceKey(string uri, string? principal) => $"{uri}\n{principal}";

    private sealed record Entry(JsonNode Result, DateTimeOffset Expires);

    private sealed class ServerEntries(ServerCacheOptions options)
    {
        private readonly ConcurrentDictionary<string, Entry> _lists = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Entry> _resources = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Entry> _tools = new(StringComparer.Ordinal);

        public ServerCacheOptions Options { get; } = options;

        public ConcurrentDictionary<string, Entry> Of(string kind) => kind switch
        {
            Lists => _lists,
            Resources => _resources,
            _ => _tools,
        };

        public void DropLists(string method) => DropPrefix(_lists, method + "\n");

        public void DropResource(string uri) => DropPrefix(_resources, uri + "\n");

        private static void DropPrefix(ConcurrentDictionary<string, Entry> entries, string prefix)
        {
            foreach (var key in entries.Keys)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    entries.TryRemove(key, out _);
                }
            }
        }
    }
}
