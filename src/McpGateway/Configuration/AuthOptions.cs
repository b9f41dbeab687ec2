namespace McpGateway.Configuration;

/// <summary>
/// The <c>auth:</c> section. This branch holds only the keys the JWT resource server reads (<c>resource</c>, <c>jwt</c>);
/// the authentication pipeline adds its own (<c>required</c>, <c>apiKeys</c>) beside them.
/// </summary>
public sealed record AuthOptions
{
    /// <summary>
    /// The gateway's canonical URL (<c>auth.resource</c>, e.g. <c>https://gw.example.com</c>): the default token
    /// audience and the base of the RFC 9728 metadata. Null: derived from each request's scheme and host.
    /// </summary>
    public Uri? Resource { get; init; }

    /// <summary>The <c>auth.jwt</c> section; null when JWT access tokens are not accepted.</summary>
    public JwtOptions? Jwt { get; init; }
}
