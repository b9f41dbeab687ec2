using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>One row of <c>api_keys</c>: the key's SHA-256 hash, never the secret. Timestamps are UTC ticks.</summary>
internal sealed class StoredApiKey
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public byte[] SecretHash { get; set; } = [];

    /// <summary>Comma-separated role names (role names cannot contain commas).</summary>
    public string Roles { get; set; } = string.Empty;

    public string? Tenant { get; set; }

    public long CreatedAtTicks { get; set; }

    public long? ExpiresAtTicks { get; set; }

    public long? RevokedAtTicks { get; set; }

    public long? LastUsedAtTicks { get; set; }

    public static void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<StoredApiKey>(entity =>
        {
            entity.ToTable(RegistryDbContext.ApiKeysTable);
            entity.HasKey(k => k.Id);
            entity.Property(k => k.Id).HasColumnName("id").HasMaxLength(64).ValueGeneratedNever();
            entity.Property(k => k.Name).HasColumnName("name").HasMaxLength(RegistryDbContext.MaxNameLength);
            entity.Property(k => k.SecretHash).HasColumnName("secret_hash");
            entity.Property(k => k.Roles).HasColumnName("roles");
            entity.Property(k => k.Tenant).HasColumnName("tenant").HasMaxLength(RegistryDbContext.MaxNameLength);
            entity.Property(k => k.CreatedAtTicks).HasColumnName("created_at_ticks");
            entity.Property(k => k.ExpiresAtTicks).HasColumnName("expires_at_ticks");
            entity.Property(k => k.RevokedAtTicks).HasColumnName("revoked_at_ticks");
            entity.Property(k => k.LastUsedAtTicks).HasColumnName("last_used_at_ticks");
        });
}
