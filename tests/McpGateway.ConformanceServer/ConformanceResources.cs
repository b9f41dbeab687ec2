using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.ConformanceServer;

/// <summary>
/// The resources named by the suite's <c>src/scenarios/server/resources.ts</c>: two static resources, a watched resource
/// that can be subscribed to, and the template <c>test://template/{id}/data</c>.
/// </summary>
internal sealed partial class ConformanceResources
{
    public const string StaticTextUri = "test://static-text";
    public const string StaticBinaryUri = "test://static-binary";
    public const string WatchedUri = "test://watched-resource";
    public const string TemplateUri = "test://template/{id}/data";

    // Subscriptions per MCP session (stdio has no session id: one key for it), URI set as a concurrent "hash set".
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _subscriptions = new(StringComparer.Ordinal);

    public static IReadOnlyList<Resource> Resources { get; } =
    [
        new Resource
        {
            Uri = StaticTextUri, Name = "static-text", Description = "A static text resource.", MimeType = "text/plain",
        },
        new Resource
        {
            Uri = StaticBinaryUri, Name = "static-binary", Description = "A static binary resource (a 1x1 PNG).", MimeType = "image/png",
        },
        new Resource
        {
            Uri = WatchedUri, Name = "watched-resource", Description = "A resource clients can subscribe to.", MimeType = "text/plain",
        },
    ];

    public static IReadOnlyList<ResourceTemplate> Templates { get; } =
    [
        new ResourceTemplate
        {
            UriTemplate = TemplateUri,
            Name = "template-data",
            Description = "Data for an id, substituted into the URI.",
            MimeType = "application/json",
        },
    ];

    /// <summary>URIs the given session subscribed to (for tests and diagnostics).</summary>
    public IReadOnlyCollection<string> SubscriptionsOf(string? sessionId) =>
        _subscriptions.TryGetValue(SessionKey(sessionId), out var uris) ? [.. uris.Keys] : [];

    public static ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListResourcesResult { Resources = [.. Resources] });

    public static ValueTask<ListResourceTemplatesResult> ListTemplatesAsync(
        RequestContext<ListResourceTemplatesRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListResourceTemplatesResult { ResourceTemplates = [.. Templates] });

    public static ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params?.Uri ?? "";
        ResourceContents contents = uri switch
        {
            StaticTextUri => new TextResourceContents
            {
                Uri = uri, MimeType = "text/plain", Text = "This is the content of the static text resource.",
            },
            StaticBinaryUri => BlobResourceContents.FromBytes(TestMedia.Png, uri, "image/png"),
            WatchedUri => new TextResourceContents { Uri = uri, MimeType = "text/plain", Text = "Watched resource content." },
            _ when TemplateMatch().Match(uri) is { Success: true } match => new TextResourceContents
            {
                Uri = uri,
                MimeType = "application/json",
                Text = new JsonObject
                {
                    ["id"] = match.Groups["id"].Value,
                    ["templateTest"] = true,
                    ["data"] = $"Data for ID: {match.Groups["id"].Value}",
                }.ToJsonString(),
            },
            _ => throw new McpProtocolException($"Resource not found: '{uri}'", McpErrorCode.ResourceNotFound),
        };
        return ValueTask.FromResult(new ReadResourceResult { Contents = [contents] });
    }

    public ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params?.Uri ?? throw new McpProtocolException("Missing 'uri'.", McpErrorCode.InvalidParams);
        _subscriptions.GetOrAdd(SessionKey(request.Server.SessionId), _ => new(StringComparer.Ordinal)).TryAdd(uri, 0);
        return ValueTask.FromResult(new EmptyResult());
    }

    public ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params?.Uri ?? throw new McpProtocolException("Missing 'uri'.", McpErrorCode.InvalidParams);
        if (_subscriptions.TryGetValue(SessionKey(request.Server.SessionId), out var uris))
        {
            uris.TryRemove(uri, out _);
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    /// <summary>Drops a closed session's subscriptions.</summary>
    public void Forget(string? sessionId) => _subscriptions.TryRemove(SessionKey(sessionId), out _);

    private static string SessionKey(string? sessionId) => sessionId ?? "";

    [GeneratedRegex("^test://template/(?<id>[^/]+)/data$", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateMatch();
}
