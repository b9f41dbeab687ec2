using McpGateway.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace McpGateway.Endpoints;

/// <summary>Checks every MCP endpoint makes before reading a body.</summary>
internal static class RequestGuards
{
    /// <summary>DNS-rebinding protection: a browser page may only call the gateway from loopback or a configured origin.</summary>
    public static bool IsOriginAllowed(HttpRequest request, GatewayOptions options)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        foreach (var allowed in options.AllowedOrigins)
        {
            if (allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost");
    }

    public static bool IsJsonContent(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the client accepts the given media type (absent Accept and wildcards count).</summary>
    public static bool Accepts(HttpRequest request, string mediaType)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0)
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParseList(accept, out var types))
        {
            return true;
        }

        var slash = mediaType.IndexOf('/', StringComparison.Ordinal);
        foreach (var type in types)
        {
            if (type.MediaType.Equals("*/*", StringComparison.Ordinal) ||
                type.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase) ||
                type.MediaType.Equals(string.Concat(mediaType.AsSpan(0, slash), "/*"), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
