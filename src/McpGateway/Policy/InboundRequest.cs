using Microsoft.AspNetCore.Http;

namespace McpGateway.Policy;

/// <summary>
/// What the telemetry filter needs from the HTTP request that carried an MCP message, copied out when the request is
/// read (a legacy-SSE answer is computed after the POST that carried the request has completed).
/// </summary>
internal readonly record struct InboundRequest(string? TraceParent, string? TraceState, long BodyBytes)
{
    public static InboundRequest From(HttpRequest request)
    {
        var headers = request.Headers;
        var traceParent = headers.TryGetValue("traceparent", out var parent) ? parent.ToString() : null;
        var traceState = headers.TryGetValue("tracestate", out var state) ? state.ToString() : null;
        return new InboundRequest(traceParent, traceState, request.ContentLength ?? -1);
    }
}
