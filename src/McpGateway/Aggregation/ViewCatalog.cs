using System.Text.Json.Nodes;

namespace McpGateway.Aggregation;

/// <summary>The four MCP lists a virtual server merges.</summary>
internal enum CatalogKind
{
    Tools,
    Prompts,
    Resources,
    ResourceTemplates,
}

internal static class CatalogKinds
{
    public static string ListMethod(this CatalogKind kind) => kind switch
    {
        CatalogKind.Tools => "tools/list",
        CatalogKind.Prompts => "prompts/list",
        CatalogKind.Resources => "resources/list",
        _ => "resources/templates/list",
    };

    /// <summary>The array property of the list result.</summary>
    public static string ResultProperty(this CatalogKind kind) => kind switch
    {
        CatalogKind.Tools => "tools",
        CatalogKind.Prompts => "prompts",
        CatalogKind.Resources => "resources",
        _ => "resourceTemplates",
    };

    /// <summary>The property that identifies an item: a name, or a URI (template) that is never renamed.</summary>
    public static string KeyProperty(this CatalogKind kind) => kind switch
    {
        CatalogKind.Tools or CatalogKind.Prompts => "name",
        CatalogKind.Resources => "uri",
        _ => "uriTemplate",
    };

    public static bool IsRenamed(this CatalogKind kind) => kind is CatalogKind.Tools or CatalogKind.Prompts;

    /// <summary>The server capability a member must advertise for the list to exist there.</summary>
    public static string Capability(this CatalogKind kind) => kind switch
    {
        CatalogKind.Tools => "tools",
        CatalogKind.Prompts => "prompts",
        _ => "resources",
    };

    /// <summary>The list a <c>notifications/*/list_changed</c> method is about, or null for any other method.</summary>
    public static CatalogKind? FromListChanged(string method) => method switch
    {
        "notifications/tools/list_changed" => CatalogKind.Tools,
        "notifications/prompts/list_changed" => CatalogKind.Prompts,
        "notifications/resources/list_changed" => CatalogKind.Resources,
        _ => null,
    };

    public static string ListChangedNotification(this CatalogKind kind) => kind switch
    {
        CatalogKind.Tools => "notifications/tools/list_changed",
        CatalogKind.Prompts => "notifications/prompts/list_changed",
        _ => "notifications/resources/list_changed",
    };
}

/// <summary>One merged item: what the client sees, and where it really lives.</summary>
internal sealed record CatalogEntry(string ExposedKey, string Server, string OriginalKey, JsonObject Item);

/// <summary>A merged, filtered, renamed list, in member order, with lookup by exposed key.</summary>
internal sealed class MergedList(IReadOnlyList<CatalogEntry> entries, IReadOnlyDictionary<string, string> conflicts)
{
    /// <summary>URIs more than one member serves, when the view treats that as an error: URI → the servers.</summary>
    public IReadOnlyDictionary<string, string> Conflicts { get; } = conflicts;

    private readonly Dictionary<string, CatalogEntry> _byKey = entries.ToDictionary(e => e.ExposedKey, StringComparer.Ordinal);

    public IReadOnlyList<CatalogEntry> Entries { get; } = entries;

    public CatalogEntry? Find(string exposedKey) => _byKey.GetValueOrDefault(exposedKey);
}

/// <summary>
/// The last list each member server returned successfully, across sessions: what a view serves for a member that is
/// down (<c>onUpstreamFailure: serveLastKnown</c>).
/// </summary>
internal sealed class LastKnownLists
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Server, CatalogKind Kind), JsonArray> _lists = new();

    public void Remember(string server, CatalogKind kind, JsonArray items) => _lists[(server, kind)] = items;

    public JsonArray? Recall(string server, CatalogKind kind) => _lists.GetValueOrDefault((server, kind));
}
