using System.Diagnostics;
using System.Text.Json.Nodes;

namespace McpGateway.Observability;

/// <summary>W3C trace context in MCP messages: <c>params._meta.traceparent</c> and <c>params._meta.tracestate</c>.</summary>
internal static class TraceContextPropagation
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>The caller's context from <c>params._meta</c>, if it sent a valid one.</summary>
    public static bool TryReadMeta(JsonNode? parameters, out ActivityContext context)
    {
        context = default;
        return parameters is JsonObject obj && obj["_meta"] is JsonObject meta &&
            meta[TraceParent] is JsonValue parent && parent.TryGetValue(out string? traceParent) &&
            ActivityContext.TryParse(traceParent, meta[TraceState] is JsonValue state && state.TryGetValue(out string? traceState) ? traceState : null, isRemote: true, out context);
    }

    /// <summary>The caller's context from HTTP headers, if it sent a valid one.</summary>
    public static bool TryParse(string? traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        return !string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context);
    }

    /// <summary>Puts <paramref name="activity"/>'s context into the request's <c>_meta</c> and returns the params (new if there were none).</summary>
    public static JsonNode? InjectMeta(JsonNode? parameters, Activity activity)
    {
        if (parameters is not null and not JsonObject)
        {
            // Params that are not an object (not valid MCP) have nowhere to carry _meta.
            return parameters;
        }

        var obj = parameters as JsonObject ?? [];
        if (obj["_meta"] is not JsonObject meta)
        {
            meta = [];
            obj["_meta"] = meta;
        }

        meta[TraceParent] = activity.Id;
        if (activity.TraceStateString is { } traceState)
        {
            meta[TraceState] = traceState;
        }
        else
        {
            meta.Remove(TraceState);
        }

        return obj;
    }
}
