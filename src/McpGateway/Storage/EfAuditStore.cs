using McpGateway.Audit;
using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>Audit records in the registry database (<see cref="Migrations.Audit"/>): batched inserts, keyset-paged reads, purges.</summary>
internal sealed class EfAuditStore(EfRegistryStore registry)
{
    public async Task AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        foreach (var record in records)
        {
            db.AuditRecords.Add(new StoredAuditRecord
            {
                Id = record.Id,
                TimeMs = record.Time.ToUnixTimeMilliseconds(),
                Kind = record.Kind,
                PrincipalId = record.PrincipalId,
                PrincipalName = record.PrincipalName,
                Tenant = record.Tenant,
                View = record.View,
                Server = record.Server,
                Item = record.Item,
                Outcome = record.Outcome,
                Code = record.Code,
                DurationMs = record.DurationMs,
                TraceId = record.TraceId,
                Arguments = record.Arguments,
            });
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var rows = db.AuditRecords.AsNoTracking();
        if (query.PrincipalId is { } principal)
        {
            rows = rows.Where(r => r.PrincipalId == principal);
        }

        if (query.Tenant is { } tenant)
        {
            rows = rows.Where(r => r.Tenant == tenant);
        }

        if (query.Kind is { } kind)
        {
            rows = rows.Where(r => r.Kind == kind);
        }

        if (query.View is { } view)
        {
            rows = rows.Where(r => r.View == view);
        }

        if (query.Server is { } server)
        {
            rows = rows.Where(r => r.Server == server);
        }

        if (query.ItemPrefix is { } prefix)
        {
            rows = rows.Where(r => r.Item != null && r.Item.StartsWith(prefix));
        }

        if (query.Outcome is { } outcome)
        {
            rows = rows.Where(r => r.Outcome == outcome);
        }

        if (query.From is { } from)
        {
            var fromMs = from.ToUnixTimeMilliseconds();
            rows = rows.Where(r => r.TimeMs >= fromMs);
        }

        if (query.To is { } to)
        {
            var toMs = to.ToUnixTimeMilliseconds();
            rows = rows.Where(r => r.TimeMs < toMs);
        }

        if (query.After is { } after)
        {
            rows = rows.Where(r => r.TimeMs < after.TimeMs || (r.TimeMs == after.TimeMs && string.Compare(r.Id, after.Id) < 0));
        }

        var page = await rows.OrderByDescending(r => r.TimeMs).ThenByDescending(r => r.Id).Take(query.Limit + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var more = page.Count > query.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var items = page.ConvertAll(ToRecord);
        return new AuditPage(items, more ? new AuditCursor(page[^1].TimeMs, page[^1].Id).Encode() : null);
    }

    /// <summary>Deletes records older than <paramref name="before"/>; answers how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var cutoff = before.ToUnixTimeMilliseconds();
        return await db.AuditRecords.Where(r => r.TimeMs < cutoff).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static AuditRecord ToRecord(StoredAuditRecord row) => new(
        row.Id,
        DateTimeOffset.FromUnixTimeMilliseconds(row.TimeMs),
        row.Kind,
        row.PrincipalId,
        row.PrincipalName,
        row.Tenant,
        row.View,
        row.Server,
        row.Item,
        row.Outcome,
        row.Code,
        row.DurationMs,
        row.TraceId,
        row.Arguments);
}
