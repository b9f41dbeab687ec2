using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpGateway.Protocol;

/// <summary>JSON-RPC error codes the gateway itself produces, and builders for them.</summary>
internal static class GatewayErrors
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>The upstream could not be reached, crashed, or closed the connection.</summary>
    public const int UpstreamUnavailable = -32000;

    /// <summary>The upstream did not answer within the configured timeout.</summary>
    public const int UpstreamTimeout = -32001;

    /// <summary>The client cancelled the request (the LSP convention; MCP clients ignore answers to cancelled requests).</summary>
    public const int RequestCancelled = -32800;

    /// <summary>The server needs the caller's own credential (<c>auth: { type: perPrincipal }</c>) and none is stored.</summary>
    public const int CredentialRequiredCode = -32030;

    /// <summary>The server's <c>concurrency</c> slots and queue are full (bulkhead).</summary>
    public const int UpstreamBusy = -32031;

    /// <summary>A <c>limits:</c> rule refused the request; <c>data.retryAfterMs</c> says when it could pass.</summary>
    public const int RateLimited = -32029;

    public const int HeaderMismatch = -32020;
    public const int UnsupportedProtocolVersion = -32022;

    /// <summary>The answer the gateway makes up for a request the client cancelled: never sent (the client expects none).</summary>
    public static bool IsCancelledByClient(JsonRpcMessage answer) => answer is JsonRpcError { Error.Code: RequestCancelled };

    public static JsonRpcError Create(RequestId id, int code, string message, JsonNode? data = null) => new()
    {
        Id = id,
        Error = new JsonRpcErrorDetail { Code = code, Message = message, Data = data },
    };

    public static JsonRpcError Unavailable(RequestId id, string server, string reason) =>
        Create(id, UpstreamUnavailable, $"Upstream server '{server}' is unavailable: {reason}", ServerData(server));

    public static JsonRpcError Timeout(RequestId id, string server, string method, TimeSpan timeout) =>
        Create(id, UpstreamTimeout, $"Upstream server '{server}' did not answer '{method}' within {timeout.TotalSeconds:0.###} s", ServerData(server));

    /// <summary>The answer for a request whose upstream could not be reached: unavailable, or waiting for the caller's own credential.</summary>
    public static JsonRpcError From(RequestId id, Upstreams.UpstreamException failure) => failure is Upstreams.UpstreamCredentialRequiredException
        ? CredentialRequired(id, failure.ServerName)
        : Unavailable(id, failure.ServerName, failure.Reason);

    public static JsonRpcError CredentialRequired(RequestId id, string server) =>
        Create(id, CredentialRequiredCode, $"Upstream server '{server}' acts on behalf of each user and you have not stored a credential for it: PUT /api/v1/credentials/{server} with {{\"credential\": \"...\"}}",
            new JsonObject { ["server"] = server, ["credentials"] = $"/api/v1/credentials/{server}" });

    public static JsonObject ServerData(string server) => new() { ["server"] = server };
}
