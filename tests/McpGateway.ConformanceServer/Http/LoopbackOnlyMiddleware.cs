namespace McpGateway.ConformanceServer.Http;

/// <summary>
/// DNS-rebinding protection for a server on loopback without authentication (the suite's
/// <c>dns-rebinding-protection</c> scenario): the <c>Host</c> header, and <c>Origin</c> when sent, must name
/// <c>localhost</c>, <c>127.0.0.1</c> or <c>[::1]</c> (any port); anything else is refused with 403.
/// </summary>
internal sealed class LoopbackOnlyMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host;
        if (!host.HasValue || !IsLoopbackName(host.Host))
        {
            return RefuseAsync(context, $"Forbidden: Host '{host}' is not a loopback name.");
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 &&
            (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri) || !IsLoopbackName(originUri.Host)))
        {
            return RefuseAsync(context, $"Forbidden: Origin '{origin}' is not a loopback origin.");
        }

        return next(context);
    }

    private static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        host is "127.0.0.1" or "[::1]" or "::1";

    private static Task RefuseAsync(HttpContext context, string message) =>
        StreamableHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status403Forbidden, -32000, message);
}
