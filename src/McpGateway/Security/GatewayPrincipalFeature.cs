using Microsoft.AspNetCore.Http;

namespace McpGateway.Security;

internal sealed class GatewayPrincipalFeature(GatewayPrincipal principal) : IGatewayPrincipalFeature
{
    public GatewayPrincipal Principal { get; } = principal;

    /// <summary>The request's principal; <see cref="GatewayPrincipal.Anonymous"/> where authentication did not run.</summary>
    public static GatewayPrincipal Of(HttpContext context) =>
        context.Features.Get<IGatewayPrincipalFeature>()?.Principal ?? GatewayPrincipal.Anonymous;
}
