using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>One ASP.NET Core Data Protection key (its XML) in <c>data_protection_keys</c>: the key ring lives with the data, so every replica decrypts.</summary>
internal sealed class StoredDataProtectionKey
{
    public string FriendlyName { get; set; } = string.Empty;

    public string Xml { get; set; } = string.Empty;

    public static void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<StoredDataProtectionKey>(entity =>
        {
            entity.ToTable(RegistryDbContext.DataProtectionKeysTable);
            entity.HasKey(k => k.FriendlyName);
            entity.Property(k => k.FriendlyName).HasColumnName("friendly_name").HasMaxLength(128).ValueGeneratedNever();
            entity.Property(k => k.Xml).HasColumnName("xml");
        });
}
