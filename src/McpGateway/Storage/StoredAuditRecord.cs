using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>One row of <c>audit_records</c>. Time is Unix milliseconds (portable ordering on SQLite and PostgreSQL).</summary>
internal sealed class StoredAuditRecord
{
    public string Id { get; set; } = string.Empty;

    public long TimeMs { get; set; }

    public string Kind { get; set; } = string.Empty;

    public string PrincipalId { get; set; } = string.Empty;

    public string PrincipalName { get; set; } = string.Empty;

    public string? Tenant { get; set; }

    public string? View { get; set; }

    public string? Server { get; set; }

    public string? Item { get; set; }

    public string Outcome { get; set; } = string.Empty;

    public int? Code { get; set; }

    public double DurationMs { get; set; }

    public string? TraceId { get; set; }

    public string? Arguments { get; set; }

    public static void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<StoredAuditRecord>(entity =>
        {
            entity.ToTable(RegistryDbContext.AuditTable);
            entity.HasKey(r => r.Id);
            entity.Property(r => r.Id).HasColumnName("id").HasMaxLength(32).ValueGeneratedNever();
            entity.Property(r => r.TimeMs).HasColumnName("time_ms");
            entity.Property(r => r.Kind).HasColumnName("kind").HasMaxLength(32);
            entity.Property(r => r.PrincipalId).HasColumnName("principal_id");
            entity.Property(r => r.PrincipalName).HasColumnName("principal_name");
            entity.Property(r => r.Tenant).HasColumnName("tenant");
            entity.Property(r => r.View).HasColumnName("view");
            entity.Property(r => r.Server).HasColumnName("server");
            entity.Property(r => r.Item).HasColumnName("item");
            entity.Property(r => r.Outcome).HasColumnName("outcome").HasMaxLength(16);
            entity.Property(r => r.Code).HasColumnName("code");
            entity.Property(r => r.DurationMs).HasColumnName("duration_ms");
            entity.Property(r => r.TraceId).HasColumnName("trace_id").HasMaxLength(32);
            entity.Property(r => r.Arguments).HasColumnName("arguments");
        });
}
