using System.Security.Cryptography;
using McpGateway.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>
/// Principals' upstream credentials in the registry database, encrypted with the store's Data Protection key ring. Each
/// value is protected for its own (server, principal) pair, so a row copied onto another principal does not decrypt.
/// </summary>
internal sealed class EfPrincipalCredentialStore(EfRegistryStore registry, Func<IDataProtector> protector) : IPrincipalCredentialStore
{
    private IDataProtector? _protector;

    private IDataProtector Protector => _protector ??= protector();

    public async Task<string?> FindAsync(string server, string principalId, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var row = await db.PrincipalCredentials.AsNoTracking()
            .FirstOrDefaultAsync(c => c.Server == server && c.PrincipalId == principalId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        try
        {
            return For(server, principalId).Unprotect(row.Value[StoredSecrets.Prefix.Length..]);
        }
        catch (CryptographicException ex)
        {
            throw new StorageUnavailableException(
                $"the stored credential of '{principalId}' for server '{server}' cannot be decrypted ({ex.Message}): the data-protection key ring in the database (table data_protection_keys) is missing or is not the one it was encrypted with", ex);
        }
    }

    public async Task<IReadOnlyList<PrincipalCredentialInfo>> ListAsync(string principalId, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var rows = await db.PrincipalCredentials.AsNoTracking().Where(c => c.PrincipalId == principalId)
            .OrderBy(c => c.Server).Select(c => new { c.Server, c.UpdatedAtTicks }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new PrincipalCredentialInfo(r.Server, new DateTimeOffset(r.UpdatedAtTicks, TimeSpan.Zero))).ToList();
    }

    public async Task SaveAsync(string server, string principalId, string credential, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // Encrypted before the transaction opens: the key ring may itself need a write on first use.
        var value = StoredSecrets.Prefix + For(server, principalId).Protect(credential);
        await using var db = registry.CreateContext();
        var row = await db.PrincipalCredentials.FirstOrDefaultAsync(c => c.Server == server && c.PrincipalId == principalId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            db.PrincipalCredentials.Add(new StoredPrincipalCredential { Server = server, PrincipalId = principalId, Value = value, UpdatedAtTicks = at.UtcTicks });
        }
        else
        {
            row.Value = value;
            row.UpdatedAtTicks = at.UtcTicks;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException) when (row is null)
        {
            // Another request (or replica) inserted the same pair meanwhile: last writer wins, as for an update.
            await using var retry = registry.CreateContext();
            await retry.PrincipalCredentials.Where(c => c.Server == server && c.PrincipalId == principalId)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.Value, value).SetProperty(c => c.UpdatedAtTicks, at.UtcTicks), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> DeleteAsync(string server, string principalId, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        return await db.PrincipalCredentials.Where(c => c.Server == server && c.PrincipalId == principalId)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private IDataProtector For(string server, string principalId) => Protector.CreateProtector(server, principalId);
}
