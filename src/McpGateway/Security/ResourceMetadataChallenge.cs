using McpGateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Security;

/// <summary>
/// Adds <c>resource_metadata="…"</c> to every 401 while <c>auth.jwt</c> is configured, so an MCP client can discover the
/// authorization server (MCP authorization spec, RFC 9728 §5.1). Without JWT there is nothing to discover.
/// </summary>
internal sealed class ResourceMetadataChallenge(IGatewayConfigProvider config) : IAuthenticationChallengeContributor
{
    public void Contribute(HttpContext context, AuthenticationChallenge challenge)
    {
        var auth = config.Current.Auth;
        if (auth.Jwt is not null)
        {
            challenge.Set("resource_metadata", ProtectedResourceMetadata.MetadataUrl(context, auth));
        }
    }
}
