namespace McpGateway.Security;

/// <summary>What <c>GET /api/v1/credentials</c> shows of a stored credential: where and when, never the value.</summary>
public sealed record PrincipalCredentialInfo(string Server, DateTimeOffset UpdatedAt);

/// <summary>Durable storage of principals' own upstream credentials (encrypted at rest by the implementation).</summary>
internal interface IPrincipalCredentialStore
{
    Task<string?> FindAsync(string server, string principalId, CancellationToken cancellationToken);

    Task<IReadOnlyList<PrincipalCredentialInfo>> ListAsync(string principalId, CancellationToken cancellationToken);

    Task SaveAsync(string server, string principalId, string credential, DateTimeOffset at, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string server, string principalId, CancellationToken cancellationToken);
}

/// <summary>
/// Per-principal upstream credentials (<c>auth: { type: perPrincipal }</c>): each principal stores its own, and only that
/// principal's upstream connections carry it. Read when a link connects; a change closes this replica's open links of
/// that principal and server (<see cref="Changed"/>), so the next call connects with the new value.
/// </summary>
internal sealed class PrincipalCredentials(IPrincipalCredentialStore store, TimeProvider time)
{
    /// <summary>Large enough for any token or PAT, small enough to keep headers sane.</summary>
    public const int MaxCredentialLength = 8 * 1024;

    /// <summary>Raised after a credential of (server, principal id) was stored or deleted.</summary>
    public event Func<string, string, Task>? Changed;

    public Task<string?> FindAsync(string server, string principalId, CancellationToken cancellationToken) =>
        store.FindAsync(server, principalId, cancellationToken);

    public Task<IReadOnlyList<PrincipalCredentialInfo>> ListAsync(string principalId, CancellationToken cancellationToken) =>
        store.ListAsync(principalId, cancellationToken);

    public async Task SaveAsync(string server, string principalId, string credential, CancellationToken cancellationToken)
    {
        await store.SaveAsync(server, principalId, credential, time.GetUtcNow(), cancellationToken);
        await NotifyAsync(server, principalId);
    }

    public async Task<bool> DeleteAsync(string server, string principalId, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteAsync(server, principalId, cancellationToken);
        if (deleted)
        {
            await NotifyAsync(server, principalId);
        }

        return deleted;
    }

    private Task NotifyAsync(string server, string principalId) =>
        Changed is { } changed ? Task.WhenAll(changed.GetInvocationList().Cast<Func<string, string, Task>>().Select(h => h(server, principalId))) : Task.CompletedTask;
}
