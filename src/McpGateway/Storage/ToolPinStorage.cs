using Microsoft.EntityFrameworkCore;

namespace McpGateway.Storage;

/// <summary>
/// One pinned tool: the definition an operator (or trust on first use) approved, and a different one the server listed
/// later, waiting for approval. Definitions are canonical JSON of the pinned fields; hashes are hex SHA-256 of them.
/// </summary>
public sealed record ToolPin(
    string Server,
    string Tool,
    string? ApprovedHash,
    string? ApprovedDefinition,
    DateTimeOffset? ApprovedAt,
    string? PendingHash,
    string? PendingDefinition,
    DateTimeOffset? PendingSince)
{
    /// <summary>Withheld from lists and calls until approved.</summary>
    public bool IsPending => PendingHash is not null;
}

/// <summary>Durable tool pins (the <c>tool_pins</c> table). Read once at start-up; written only when a pin changes.</summary>
public interface IToolPinStore
{
    Task<IReadOnlyList<ToolPin>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the pin of (<see cref="ToolPin.Server"/>, <see cref="ToolPin.Tool"/>).</summary>
    Task SaveAsync(ToolPin pin, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces several pins in one transaction (the first sight of a server's whole list).</summary>
    Task SaveAllAsync(IReadOnlyList<ToolPin> pins, CancellationToken cancellationToken);

    /// <summary>Forgets a pin; false when there was none.</summary>
    Task<bool> RemoveAsync(string server, string tool, CancellationToken cancellationToken);
}

/// <summary>The EF mapping of <see cref="ToolPin"/>; its table comes from the <c>ToolPins</c> migration.</summary>
internal sealed class StoredToolPin
{
    public const string Table = "tool_pins";

    /// <summary>Longest stored tool name (the spec allows 128; upstreams are untrusted, longer names are never pinned).</summary>
    public const int MaxToolLength = 400;

    public string Server { get; set; } = string.Empty;

    public string Tool { get; set; } = string.Empty;

    public string? ApprovedHash { get; set; }

    public string? ApprovedDefinition { get; set; }

    public long? ApprovedAtTicks { get; set; }

    public string? PendingHash { get; set; }

    public string? PendingDefinition { get; set; }

    public long? PendingSinceTicks { get; set; }

    public static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<StoredToolPin>(entity =>
    {
        entity.ToTable(Table);
        entity.HasKey(p => new { p.Server, p.Tool });
        entity.Property(p => p.Server).HasColumnName("server").HasMaxLength(RegistryDbContext.MaxNameLength);
        entity.Property(p => p.Tool).HasColumnName("tool").HasMaxLength(MaxToolLength);
        entity.Property(p => p.ApprovedHash).HasColumnName("approved_hash");
        entity.Property(p => p.ApprovedDefinition).HasColumnName("approved_definition");
        entity.Property(p => p.ApprovedAtTicks).HasColumnName("approved_at_ticks");
        entity.Property(p => p.PendingHash).HasColumnName("pending_hash");
        entity.Property(p => p.PendingDefinition).HasColumnName("pending_definition");
        entity.Property(p => p.PendingSinceTicks).HasColumnName("pending_since_ticks");
    });

    public ToolPin ToPin() => new(Server, Tool, ApprovedHash, ApprovedDefinition, FromTicks(ApprovedAtTicks), PendingHash, PendingDefinition, FromTicks(PendingSinceTicks));

    public void CopyFrom(ToolPin pin)
    {
        ApprovedHash = pin.ApprovedHash;
        ApprovedDefinition = pin.ApprovedDefinition;
        ApprovedAtTicks = pin.ApprovedAt?.UtcTicks;
        PendingHash = pin.PendingHash;
        PendingDefinition = pin.PendingDefinition;
        PendingSinceTicks = pin.PendingSince?.UtcTicks;
    }

    private static DateTimeOffset? FromTicks(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
}

/// <summary>Tool pins in the registry's database (SQLite or PostgreSQL), a context per call like the registry store.</summary>
internal sealed class EfToolPinStore(EfRegistryStore registry) : IToolPinStore
{
    public async Task<IReadOnlyList<ToolPin>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        var stored = await db.ToolPins.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. stored.Select(p => p.ToPin())];
    }

    public Task SaveAsync(ToolPin pin, CancellationToken cancellationToken) => SaveAllAsync([pin], cancellationToken);

    public async Task SaveAllAsync(IReadOnlyList<ToolPin> pins, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pins);
        if (pins.Count == 0)
        {
            return;
        }

        await using var db = registry.CreateContext();
        var servers = pins.Select(p => p.Server).Distinct().ToList();
        var existing = await db.ToolPins.Where(p => servers.Contains(p.Server)).ToDictionaryAsync(p => (p.Server, p.Tool), cancellationToken).ConfigureAwait(false);
        foreach (var pin in pins)
        {
            if (!existing.TryGetValue((pin.Server, pin.Tool), out var stored))
            {
                stored = new StoredToolPin { Server = pin.Server, Tool = pin.Tool };
                db.ToolPins.Add(stored);
                existing[(pin.Server, pin.Tool)] = stored;
            }

            stored.CopyFrom(pin);
        }

        // One SaveChanges: one transaction, so a list of new tools costs one commit, not one per tool.
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RemoveAsync(string server, string tool, CancellationToken cancellationToken)
    {
        await using var db = registry.CreateContext();
        return await db.ToolPins.Where(p => p.Server == server && p.Tool == tool).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}

/// <summary>Pins kept in memory only: a registry store that is not EF (tests' own stores).</summary>
internal sealed class InMemoryToolPinStore : IToolPinStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), ToolPin> _pins = new();

    public Task<IReadOnlyList<ToolPin>> LoadAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ToolPin>>([.. _pins.Values]);

    public Task SaveAsync(ToolPin pin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pin);
        _pins[(pin.Server, pin.Tool)] = pin;
        return Task.CompletedTask;
    }

    public Task SaveAllAsync(IReadOnlyList<ToolPin> pins, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pins);
        foreach (var pin in pins)
        {
            _pins[(pin.Server, pin.Tool)] = pin;
        }

        return Task.CompletedTask;
    }

    public Task<bool> RemoveAsync(string server, string tool, CancellationToken cancellationToken) => Task.FromResult(_pins.TryRemove((server, tool), out _));
}
