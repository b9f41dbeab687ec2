namespace McpGateway.Observability;

/// <summary>The fixed set of outcome label values.</summary>
internal static class RequestOutcome
{
    public const string Ok = "ok";

    /// <summary>A tools/call answered with <c>isError: true</c>: the tool ran and reported a failure.</summary>
    public const string ToolError = "tool_error";

    /// <summary>A JSON-RPC error from the upstream or the gateway (bad params, unknown tool, ...).</summary>
    public const string Error = "error";

    public const string Timeout = "timeout";

    public const string Unavailable = "unavailable";

    public const string Cancelled = "cancelled";

    /// <summary>Refused by a policy filter (authentication, authorization, rate limit).</summary>
    public const string Rejected = "rejected";
}

/// <summary>
/// What one request's metrics and log line need that is only learnt on the way: which member server handled it (views
/// route inside the aggregation layer) and the bounded tool label. Created by the telemetry filter, filled by
/// <see cref="Upstreams.UpstreamLink"/>, read when the request completes.
/// </summary>
internal sealed class RequestTelemetry(string view, string server)
{
    /// <summary>The view label: the virtual server's name, "default" for <c>/mcp</c>, "" for <c>/servers/{name}</c>.</summary>
    public string View { get; } = view;

    /// <summary>The server label: known up front for <c>/servers/{name}</c>; for a view, the member the request went to ("" when none).</summary>
    public string Server { get; private set; } = server;

    /// <summary>For tools/call: the tool label (<see cref="GatewayMetrics.ToolLabel"/>), once a server was chosen.</summary>
    public string? Tool { get; private set; }

    /// <summary>Set by a filter that refuses the request (<see cref="RequestOutcome.Rejected"/>); otherwise the answer decides.</summary>
    public string? Outcome { get; set; }

    /// <summary>Called by the upstream link that carries the request.</summary>
    public void Routed(string server, string? tool)
    {
        Server = server;
        Tool = tool;
    }
}
