using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>
/// The registry tables. Column names are lower-case and unquoted-safe so the same hand-written migrations (and raw
/// SQL in tests) serve SQLite and PostgreSQL; timestamps are UTC ticks (SQLite cannot order DateTimeOffset).
/// </summary>
internal sealed class RegistryDbContext(DbContextOptions<RegistryDbContext> options) : DbContext(options)
{
    /// <summary>Longest stored name; a CHECK constraint enforces it on SQLite too (which ignores varchar lengths).</summary>
    public const int MaxNameLength = 200;

    /// <summary>Principal ids embed a JWT issuer and subject, so they get more room than names.</summary>
    public const int MaxPrincipalIdLength = 512;

    public const string ServersTable = "servers";

    public const string VirtualServersTable = "virtual_servers";

    public const string RevisionTable = "registry_revision";

    public const string ApiKeysTable = "api_keys";

    public const string AuditTable = "audit_records";

    public const string DataProtectionKeysTable = "data_protection_keys";

    public const string PrincipalCredentialsTable = "principal_credentials";

    /// <summary>The id of the one row of <see cref="RevisionTable"/>.</summary>
    public const int RevisionRowId = 1;

    public DbSet<StoredServer> Servers => Set<StoredServer>();

    public DbSet<StoredVirtualServer> VirtualServers => Set<StoredVirtualServer>();

    public DbSet<StoredRevision> Revision => Set<StoredRevision>();

    public DbSet<StoredToolPin> ToolPins => Set<StoredToolPin>();
    public DbSet<StoredApiKey> ApiKeys => Set<StoredApiKey>();

    public DbSet<StoredAuditRecord> AuditRecords => Set<StoredAuditRecord>();

    public DbSet<StoredDataProtectionKey> DataProtectionKeys => Set<StoredDataProtectionKey>();

    public DbSet<StoredPrincipalCredential> PrincipalCredentials => Set<StoredPrincipalCredential>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureEntries<StoredServer>(modelBuilder, ServersTable);
        ConfigureEntries<StoredVirtualServer>(modelBuilder, VirtualServersTable);
        modelBuilder.Entity<StoredRevision>(entity =>
        {
            entity.ToTable(RevisionTable);
            entity.HasKey(r => r.Id);
            entity.Property(r => r.Id).HasColumnName("id").ValueGeneratedNever();
            entity.Property(r => r.Revision).HasColumnName("revision");
        });
        StoredToolPin.Configure(modelBuilder);
        StoredApiKey.Configure(modelBuilder);
        StoredAuditRecord.Configure(modelBuilder);
        StoredDataProtectionKey.Configure(modelBuilder);
        StoredPrincipalCredential.Configure(modelBuilder);
    }

    private static void ConfigureEntries<TEntry>(ModelBuilder modelBuilder, string table)
        where TEntry : StoredEntry
    {
        modelBuilder.Entity<TEntry>(entity =>
        {
            entity.ToTable(table, t => t.HasCheckConstraint($"ck_{table}_name", NameCheck));
            entity.HasKey(e => e.Name);
            entity.Property(e => e.Name).HasColumnName("name").HasMaxLength(MaxNameLength);
            entity.Property(e => e.Definition).HasColumnName("definition");
            entity.Property(e => e.CreatedAtTicks).HasColumnName("created_at_ticks");
            entity.Property(e => e.UpdatedAtTicks).HasColumnName("updated_at_ticks");
        });
    }

    /// <summary><c>length()</c> exists in both SQLite and PostgreSQL.</summary>
    public const string NameCheck = "length(name) BETWEEN 1 AND 200";
}

/// <summary>A stored server or view: its name and its JSON definition as the caller wrote it.</summary>
internal abstract class StoredEntry
{
    public string Name { get; set; } = string.Empty;

    public string Definition { get; set; } = string.Empty;

    /// <summary><see cref="DateTimeOffset.UtcTicks"/>.</summary>
    public long CreatedAtTicks { get; set; }

    /// <summary><see cref="DateTimeOffset.UtcTicks"/>.</summary>
    public long UpdatedAtTicks { get; set; }
}

internal sealed class StoredServer : StoredEntry;

internal sealed class StoredVirtualServer : StoredEntry;

/// <summary>The one row counting saved change sets.</summary>
internal sealed class StoredRevision
{
    public int Id { get; set; }

    public long Revision { get; set; }
}
