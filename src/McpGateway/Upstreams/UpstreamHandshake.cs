using System.Text.Json.Nodes;

namespace McpGateway.Upstreams;

/// <summary>What the gateway learned when it opened an upstream session.</summary>
/// <param name="ProtocolVersion">The revision spoken with the upstream.</param>
/// <param name="IsModern">True for the stateless 2026-07-28 revision: every request carries its own <c>_meta</c>.</param>
/// <param name="Capabilities">The upstream's server capabilities.</param>
/// <param name="InitializeResult">The upstream's <c>initialize</c> result, or one built from <c>server/discover</c>.</param>
/// <param name="DiscoverResult">The upstream's <c>server/discover</c> result when it is modern.</param>
internal sealed record UpstreamHandshake(string ProtocolVersion, bool IsModern, JsonObject Capabilities, JsonObject InitializeResult, JsonObject? DiscoverResult);

/// <summary>What a downstream client told the gateway about itself, replayed to the upstream on every (re)connect.</summary>
/// <param name="InitializeParams">The client's <c>initialize</c> params (capabilities, clientInfo, and anything else it sent).</param>
/// <param name="PreferModern">The client speaks 2026-07-28: try <c>server/discover</c> before <c>initialize</c>.</param>
internal sealed record ClientHello(JsonObject InitializeParams, bool PreferModern)
{
    public JsonObject Capabilities => InitializeParams["capabilities"] as JsonObject ?? [];

    public JsonNode? ClientInfo => InitializeParams["clientInfo"];

    public string? RequestedVersion => (string?)InitializeParams["protocolVersion"];

    /// <summary>The identity the gateway uses for upstream sessions it opens on its own behalf (shared, stateless).</summary>
    public static ClientHello Gateway(bool preferModern) => new(
        new JsonObject
        {
            ["protocolVersion"] = Protocol.ProtocolVersions.LatestStateful,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "mcp-gateway", ["version"] = GatewayVersion.Current },
        },
        preferModern);
}

internal static class GatewayVersion
{
    public static readonly string Current =
        typeof(GatewayVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
