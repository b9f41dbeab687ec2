namespace McpGateway.Configuration;

/// <summary>How the client authenticates at the token endpoint (RFC 6749 §2.3.1).</summary>
public enum ClientAuthenticationMethod
{
    /// <summary>HTTP Basic with the URL-encoded id and secret (<c>client_secret_basic</c>, the default).</summary>
    ClientSecretBasic,

    /// <summary>Id and secret in the form body (<c>client_secret_post</c>).</summary>
    ClientSecretPost,
}

/// <summary>
/// <c>auth: { type: clientCredentials, ... }</c> of a remote server: the gateway fetches an OAuth 2.0 access token with
/// the client credentials grant and sends it as <c>Authorization: Bearer</c>. A record so equal settings share a token.
/// </summary>
public sealed record ClientCredentialsAuth
{
    public required Uri TokenUrl { get; init; }

    public required string ClientId { get; init; }

    /// <summary>Expanded (<c>${VAR}</c> resolved); never logged or shown by the admin API.</summary>
    public required string ClientSecret { get; init; }

    public string? Scope { get; init; }

    public string? Audience { get; init; }

    public ClientAuthenticationMethod Method { get; init; } = ClientAuthenticationMethod.ClientSecretBasic;

    /// <summary>Keeps the secret out of <c>ToString</c> (records print every property).</summary>
    public override string ToString() => $"clientCredentials {ClientId} at {TokenUrl}";
}
