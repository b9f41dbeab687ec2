using McpGateway.Security;
using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>API keys in the registry database; the schema comes from <see cref="Migrations.ApiKeys"/>, applied by the registry store's start-up.</summary>
internal sealed class EfApiKeyStore(EfRegistryStore registry) : IApiKeyStore
{
    public async Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var db = registry.CreateContext();
        db.ApiKeys.Add(new StoredApiKey
        {
            Id = key.Id,
            Name = key.Name,
            SecretHash = key.SecretHash,
            Roles = string.Join(',', key.Roles),
            Tenant = key.Tenant,
            CreatedAtTicks = key.CreatedAt.UtcTicks,
            ExpiresAtTicks = key.ExpiresAt?.UtcTicks,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var rows = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAtTicks).ThenBy(k => k.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToRecord).ToList();
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var ticks = at.UtcTicks;
        await db.ApiKeys.Where(k => k.Id == id && k.RevokedAtTicks == null)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAtTicks, ticks), cancellationToken).ConfigureAwait(false);
        return await db.ApiKeys.AnyAsync(k => k.Id == id, cancellationToken).ConfigureAwait(false);
    }

    public async Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var ticks = at.UtcTicks;
        await db.ApiKeys.Where(k => k.Id == id)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAtTicks, ticks), cancellationToken).ConfigureAwait(false);
    }

    private static ApiKeyRecord ToRecord(StoredApiKey row) => new(
        row.Id,
        row.Name,
        row.Roles.Length == 0 ? [] : row.Roles.Split(','),
        row.Tenant,
        new DateTimeOffset(row.CreatedAtTicks, TimeSpan.Zero),
        row.ExpiresAtTicks is { } expires ? new DateTimeOffset(expires, TimeSpan.Zero) : null,
        row.RevokedAtTicks is { } revoked ? new DateTimeOffset(revoked, TimeSpan.Zero) : null,
        row.LastUsedAtTicks is { } used ? new DateTimeOffset(used, TimeSpan.Zero) : null,
        row.SecretHash);
}
