namespace McpGateway.Security;

/// <summary>An API key as stored: everything but the secret, which exists only in the caller's copy of the key.</summary>
/// <param name="Id">The public part of the key (<c>mgw_{Id}_{secret}</c>): finds the row without scanning.</param>
/// <param name="SecretHash">SHA-256 of the secret; never leaves the gateway (not in the admin API, not in logs).</param>
internal sealed record ApiKeyRecord(
    string Id,
    string Name,
    IReadOnlyList<string> Roles,
    string? Tenant,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    byte[] SecretHash)
{
    public bool IsRevoked => RevokedAt is not null;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;
}

/// <summary>Where API keys are kept (the registry database, SQLite or PostgreSQL).</summary>
internal interface IApiKeyStore
{
    Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every key, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks the key revoked at <paramref name="at"/>; false when there is no such key. Revoking twice keeps the first time.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
