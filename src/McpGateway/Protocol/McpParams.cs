using System.Text.Json.Nodes;

namespace McpGateway.Protocol;

/// <summary>Reads string fields of a request's <c>params</c>; anything that is not an object or not a string reads as null.</summary>
internal static class McpParams
{
    /// <summary><c>params[key]</c>, e.g. the <c>name</c> of a tools/call or the <c>uri</c> of a resources/read.</summary>
    public static string? String(JsonNode? parameters, string key) =>
        parameters is JsonObject obj && obj[key] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    /// <summary><c>params._meta[key]</c>, e.g. the protocol version a 2026-07-28 request carries.</summary>
    public static string? Meta(JsonNode? parameters, string key) =>
        parameters is JsonObject obj && obj["_meta"] is JsonObject meta && meta[key] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
