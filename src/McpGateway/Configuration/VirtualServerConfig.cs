using System.Text.Json.Nodes;

namespace McpGateway.Configuration;

/// <summary>
/// One entry of <c>virtualServers</c>: a view (<c>/virtual/{name}/mcp</c>) that aggregates some upstream servers
/// into one MCP server, with its own filters, naming and overrides.
/// </summary>
/// <remarks>
/// Filtering happens in two stages. Each member's own <see cref="ServerConfig.Tools"/> (and prompts, resources)
/// filter sees the server's names and applies in every view. This view's <see cref="Tools"/> and <see cref="Prompts"/>
/// filters then see the exposed names: <c>{server}{separator}{name}</c> under <see cref="NamingMode.Prefix"/>, the
/// server's own name under <see cref="NamingMode.None"/>. <see cref="Overrides"/> are keyed by the same exposed names.
/// <see cref="Resources"/> filters by URI (and <c>uriTemplate</c>), which naming never changes.
/// </remarks>
public sealed record VirtualServerConfig
{
    /// <summary>The view's name: the <c>{name}</c> of <c>/virtual/{name}/mcp</c>; the same pattern as server names.</summary>
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>
    /// Member server names (each one a key of <c>mcpServers</c>, listed once), in the order that settles conflicts.
    /// Empty means every enabled server in file order; <see cref="GatewayConfig.MembersOf"/> resolves either form.
    /// </summary>
    public IReadOnlyList<string> Servers { get; init; } = [];

    /// <summary>Globs over exposed tool names.</summary>
    public ItemFilter Tools { get; init; } = ItemFilter.All;

    /// <summary>Globs over exposed prompt names.</summary>
    public ItemFilter Prompts { get; init; } = ItemFilter.All;

    /// <summary>Globs over resource URIs and resource-template <c>uriTemplate</c>s.</summary>
    public ItemFilter Resources { get; init; } = ItemFilter.All;

    public NamingMode Naming { get; init; } = NamingMode.Prefix;

    public UpstreamFailureMode OnUpstreamFailure { get; init; } = UpstreamFailureMode.ServeLastKnown;

    public ResourceConflictMode ResourceConflicts { get; init; } = ResourceConflictMode.FirstServer;

    /// <summary>Overrides <see cref="GatewayOptions.PageSize"/> for this view; null uses the gateway's.</summary>
    public int? PageSize { get; init; }

    /// <summary>Changes to single tools or prompts, keyed by exposed name (ordinal).</summary>
    public IReadOnlyDictionary<string, ItemOverride> Overrides { get; init; } = new Dictionary<string, ItemOverride>(StringComparer.Ordinal);

    /// <summary>Replaces <see cref="GuardrailOptions.Redact"/> for this view (<c>redact: false</c> reads as an empty set); null follows it.</summary>
    public RedactionOptions? Redact { get; init; }

    /// <summary>The tenant that owns the view: with authorization on, principals of other tenants cannot see it; null for none.</summary>
    public string? Tenant { get; init; }

    /// <summary>Where the view came from: the config file or the registry store.</summary>
    public EntryOrigin Origin { get; init; } = EntryOrigin.File;

    /// <summary>The entry as written (<c>${VAR}</c> unexpanded); null for a view built in code or written as <c>name:</c> alone.</summary>
    public JsonObject? Definition { get; init; }
}

/// <summary>
/// Changes the view makes to one exposed tool or prompt. Null members leave the upstream's value as it is.
/// </summary>
/// <param name="Name">The name to expose instead, as is (no prefix is added); matches <c>^[A-Za-z0-9_.-]{1,128}$</c>.
/// No two overrides of one view share a name.</param>
/// <param name="Title">Replaces the item's <c>title</c>.</param>
/// <param name="Description">Replaces the item's <c>description</c>.</param>
/// <param name="Annotations">Tool annotation values to set (e.g. <c>readOnlyHint</c>), key by key. The known hints
/// (<c>readOnlyHint</c>, <c>destructiveHint</c>, <c>idempotentHint</c>, <c>openWorldHint</c>) are booleans and
/// <c>title</c> is a string; other keys are kept as written. This object belongs to the config snapshot: read it, or
/// <see cref="JsonNode.DeepClone"/> it before putting it into a message (a node has only one parent).</param>
/// <param name="Hidden">Hides the item as if a filter denied it.</param>
public sealed record ItemOverride(string? Name, string? Title, string? Description, JsonObject? Annotations, bool Hidden);

/// <summary>How a view names the tools and prompts of its members.</summary>
public enum NamingMode
{
    /// <summary><c>{server}{separator}{name}</c>, kept within the spec's name pattern (see <c>AggregateNames.Compose</c>).</summary>
    Prefix,

    /// <summary>The server's own names, unchanged; a name offered by two members is a conflict the catalog reports.</summary>
    None,
}

/// <summary>What a view lists for a member server that is down or does not answer in time.</summary>
public enum UpstreamFailureMode
{
    /// <summary>The member's items from its last successful listing (none if it never answered).</summary>
    ServeLastKnown,

    /// <summary>Nothing from that member; the other members are listed.</summary>
    Omit,

    /// <summary>The whole list request fails with an error naming the member.</summary>
    Fail,
}

/// <summary>What a view does when two members expose the same resource URI.</summary>
public enum ResourceConflictMode
{
    /// <summary>The member listed first in <see cref="VirtualServerConfig.Servers"/> (file order when that is empty) owns the URI.</summary>
    FirstServer,

    /// <summary>No owner is picked: the catalog reports the conflict.</summary>
    Error,
}
