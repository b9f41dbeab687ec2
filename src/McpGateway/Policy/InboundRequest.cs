using McpGateway.Security;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Policy;

/// <summary>
/// What the filters need from the HTTP request that carried an MCP message, copied out when the request is read (a
/// legacy-SSE answer is computed after the POST that carried the request has completed).
/// </summary>
/// <param name="Principal">Who sent it (authentication's result; anonymous when nothing authenticated it).</param>
internal readonly record struct InboundRequest(string? TraceParent, string? TraceState, long BodyBytes, GatewayPrincipal Principal)
{
    public static readonly InboundRequest None = new(null, null, -1, GatewayPrincipal.Anonymous);

    public static InboundRequest From(HttpRequest request)
    {
        var headers = request.Headers;
        var traceParent = headers.TryGetValue("traceparent", out var parent) ? parent.ToString() : null;
        var traceState = headers.TryGetValue("tracestate", out var state) ? state.ToString() : null;
        var principal = request.HttpContext.Features.Get<IGatewayPrincipalFeature>()?.Principal ?? GatewayPrincipal.Anonymous;
        return new InboundRequest(traceParent, traceState, request.ContentLength ?? -1, principal);
    }
}
