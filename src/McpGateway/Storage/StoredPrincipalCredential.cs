using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>
/// One row of <c>principal_credentials</c>: a principal's own credential for one server, always encrypted
/// (<c>enc:v1:</c>, Data Protection with a purpose naming the server and principal, so a value cannot be moved to another row).
/// </summary>
internal sealed class StoredPrincipalCredential
{
    public string Server { get; set; } = string.Empty;

    public string PrincipalId { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;

    public long UpdatedAtTicks { get; set; }

    public static void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<StoredPrincipalCredential>(entity =>
        {
            entity.ToTable(RegistryDbContext.PrincipalCredentialsTable);
            entity.HasKey(c => new { c.Server, c.PrincipalId });
            entity.Property(c => c.Server).HasColumnName("server").HasMaxLength(RegistryDbContext.MaxNameLength);
            entity.Property(c => c.PrincipalId).HasColumnName("principal_id").HasMaxLength(RegistryDbContext.MaxPrincipalIdLength);
            entity.Property(c => c.Value).HasColumnName("value");
            entity.Property(c => c.UpdatedAtTicks).HasColumnName("updated_at_ticks");
        });
}
