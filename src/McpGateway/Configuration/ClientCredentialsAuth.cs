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

/// <summary>
/// <c>auth: { type: perPrincipal, ... }</c>: the server acts on behalf of each user, so every principal stores its own
/// credential (<c>PUT /api/v1/credentials/{server}</c>) and the gateway sends it on that principal's upstream
/// connections only: as an HTTP header for a remote server, as an environment variable for a stdio server.
/// </summary>
public sealed record PrincipalCredentialAuth
{
    /// <summary>The placeholder in <see cref="Format"/> replaced by the stored credential.</summary>
    public const string Placeholder = "{credential}";

    /// <summary>The HTTP header carrying the credential (remote servers); <c>Authorization</c> by default.</summary>
    public string? Header { get; init; }

    /// <summary>The environment variable carrying the credential (stdio servers, one process per principal).</summary>
    public string? Env { get; init; }

    /// <summary>How the value is written; <c>Bearer {credential}</c> for the Authorization header, else <c>{credential}</c>.</summary>
    public required string Format { get; init; }

    public string Render(string credential) => Format.Replace(Placeholder, credential, StringComparison.Ordinal);
}
