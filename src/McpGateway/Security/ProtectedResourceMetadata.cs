using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Security;

/// <summary>
/// RFC 9728 Protected Resource Metadata: which resource a request path belongs to, where its metadata document is,
/// and the document itself. Each Streamable HTTP endpoint (<c>/mcp</c>, <c>/servers/{name}/mcp</c>,
/// <c>/virtual/{name}/mcp</c>) is its own resource (the URL clients dial, so the MCP SDKs' resource check passes);
/// everything else (legacy <c>/sse</c> and <c>/message</c>, the admin surfaces) belongs to the gateway root.
/// </summary>
internal static class ProtectedResourceMetadata
{
    public const string WellKnownPath = "/.well-known/oauth-protected-resource";

    public const string ResourceName = "MCP Gateway";

    /// <summary>The gateway's base URL without a trailing slash: <c>auth.resource</c>, else this request's scheme, host and path base.</summary>
    public static string BaseUrl(HttpContext context, AuthOptions auth) =>
        auth.Resource is { } resource
            ? resource.AbsoluteUri.TrimEnd('/')
            : $"{context.Request.Scheme}://{context.Request.Host.ToUriComponent()}{context.Request.PathBase.ToUriComponent()}".TrimEnd('/');

    /// <summary>
    /// The resource path (<c>/mcp</c>, <c>/servers/x/mcp</c>, <c>/virtual/x/mcp</c>) a request path belongs to, or empty
    /// for the gateway root.
    /// </summary>
    public static string ResourcePathOf(PathString path)
    {
        var value = path.Value ?? string.Empty;
        if (value == "/mcp")
        {
            return value;
        }

        var parts = value.Split('/');
        return parts.Length == 4 && parts[0].Length == 0 && parts[1] is "servers" or "virtual" && parts[2].Length > 0 && parts[3] == "mcp" ? value : string.Empty;
    }

    /// <summary>The canonical URL of the resource this request is for (also an accepted token audience).</summary>
    public static string ResourceUrl(HttpContext context, AuthOptions auth) => BaseUrl(context, auth) + ResourcePathOf(context.Request.Path);

    /// <summary>The absolute URL of the metadata describing the resource this request is for.</summary>
    public static string MetadataUrl(HttpContext context, AuthOptions auth) => BaseUrl(context, auth) + WellKnownPath + ResourcePathOf(context.Request.Path);

    /// <summary>The metadata document for the resource at <paramref name="resourcePath"/> (empty for the root).</summary>
    public static JsonObject Document(HttpContext context, AuthOptions auth, JwtOptions jwt, string resourcePath)
    {
        var document = new JsonObject
        {
            ["resource"] = BaseUrl(context, auth) + resourcePath,
            ["authorization_servers"] = new JsonArray(jwt.Issuer),
            ["bearer_methods_supported"] = new JsonArray("header"),
        };
        if (jwt.RequiredScopes.Count > 0)
        {
            document["scopes_supported"] = new JsonArray([.. jwt.RequiredScopes.Select(scope => (JsonNode?)scope)]);
        }

        document["resource_name"] = resourcePath.Length == 0 ? ResourceName : $"{ResourceName} {resourcePath}";
        return document;
    }
}

/// <summary>
/// The 403 <c>WWW-Authenticate</c> value for the MCP authorization spec: <c>error="insufficient_scope"</c> and the scopes
/// needed (the 401's <c>resource_metadata</c> comes from <see cref="ResourceMetadataChallenge"/>).
/// </summary>
public static class BearerChallenge
{
    /// <summary>For a 403 when the token lacks scopes (<see cref="IInsufficientScopeFeature"/>).</summary>
    public static string InsufficientScope(HttpContext context, AuthOptions auth, IReadOnlyList<string> requiredScopes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(auth);
        return new AuthenticationChallenge()
            .Set("error", "insufficient_scope")
            .Set("scope", string.Join(' ', requiredScopes))
            .Set("resource_metadata", ProtectedResourceMetadata.MetadataUrl(context, auth))
            .Set("error_description", "the access token does not grant the required scope(s)")
            .ToString();
    }
}
