using McpGateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Security;

/// <summary>
/// <c>GET /.well-known/oauth-protected-resource</c> and its path-suffixed forms (RFC 9728 §3.1) for every MCP
/// endpoint. Public by design (clients read them before they have a token); 404 when <c>auth.jwt</c> is not configured.
/// </summary>
internal static class ProtectedResourceMetadataEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var path = ProtectedResourceMetadata.WellKnownPath;
        routes.MapGet(path, (HttpContext context, IGatewayConfigProvider config) => Answer(context, config.Current, string.Empty));
        routes.MapGet(path + "/mcp", (HttpContext context, IGatewayConfigProvider config) => Answer(context, config.Current, "/mcp"));
        routes.MapGet(path + "/servers/{name}/mcp", (HttpContext context, string name, IGatewayConfigProvider config) =>
            config.Current.FindServer(name) is null ? Results.NotFound() : Answer(context, config.Current, $"/servers/{name}/mcp"));
        routes.MapGet(path + "/virtual/{name}/mcp", (HttpContext context, string name, IGatewayConfigProvider config) =>
            config.Current.FindVirtualServer(name) is null ? Results.NotFound() : Answer(context, config.Current, $"/virtual/{name}/mcp"));
    }

    private static IResult Answer(HttpContext context, GatewayConfig config, string resourcePath)
    {
        if (config.Auth.Jwt is not { } jwt)
        {
            return Results.NotFound();
        }

        // Short caching: the document changes with a config reload.
        context.Response.Headers.CacheControl = "public, max-age=300";
        var document = ProtectedResourceMetadata.Document(context, config.Auth, jwt, Uri.EscapeDataString(resourcePath).Replace("%2F", "/", StringComparison.Ordinal));
        return Results.Text(document.ToJsonString(), "application/json");
    }
}
