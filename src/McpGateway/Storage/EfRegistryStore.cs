using System.Data;
using System.Data.Common;
using System.Diagnostics;
using McpGateway.Configuration;
using McpGateway.Observability;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace McpGateway.Storage;

/// <summary>
/// The registry in SQLite or PostgreSQL through EF Core: a context per call (the store is a singleton), one transaction
/// per change set, the revision row bumped inside it.
/// </summary>
internal sealed class EfRegistryStore : IRegistryStore, IDisposable
{
    /// <summary>How long a SQLite writer waits for another one (a second gateway or a CLI on the same file).</summary>
    private const int SqliteBusyTimeoutMs = 5000;

    private readonly StorageOptions _options;
    private readonly string _connectionString;
    private readonly DbContextOptions<RegistryDbContext> _contextOptions;
    private readonly ILogger _logger;

    /// <summary>Encrypts server secrets on the way in and decrypts them on the way out; null stores definitions as written.</summary>
    internal StoredSecrets? Secrets { get; set; }

    public EfRegistryStore(StorageOptions options, ILogger<EfRegistryStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        var builder = new DbContextOptionsBuilder<RegistryDbContext>();
        if (options.Provider == StorageProvider.Postgres)
        {
            _connectionString = options.ConnectionString ?? throw new ArgumentException("storage.connectionString is required with provider postgres", nameof(options));
            var postgres = new NpgsqlConnectionStringBuilder(_connectionString);
            Description = $"postgres {postgres.Host}:{postgres.Port}/{postgres.Database ?? postgres.Username}";
            builder.UseNpgsql(_connectionString);
        }
        else
        {
            _connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = options.SqlitePath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = true,
            }.ToString();
            Description = $"sqlite {options.SqlitePath}";
            builder.UseSqlite(_connectionString).AddInterceptors(new SqliteConnectionPragmas());
        }

        // The migrations are hand-written and there is no model snapshot to compare the model with, so EF would
        // always report pending model changes; the storage tests exercise every mapped column against the migrated schema instead.
        builder.ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.PendingModelChangesWarning));
        _contextOptions = builder.Options;
    }

    public string Description { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        if (_options.Provider == StorageProvider.Sqlite)
        {
            await PrepareSqliteFileAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var db = CreateContext())
        {
            var known = db.Database.GetMigrations().ToList();
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
            var unknown = applied.Where(id => !known.Contains(id, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                var reason = $"the database has schema migration(s) {string.Join(", ", unknown)} that this mcp-gateway does not know "
                    + $"(it knows {string.Join(", ", known)}), so a newer mcp-gateway has upgraded it; upgrade mcp-gateway or point storage at another database";
                GatewayLog.StoreSchemaRefused(_logger, Description, reason);
                throw new StorageSchemaException($"Registry store {Description}: {reason}.");
            }

            var pending = known.Where(id => !applied.Contains(id, StringComparer.Ordinal)).ToList();
            if (pending.Count > 0)
            {
                // Creates the PostgreSQL database when it is missing; EF 9+ holds a migration lock meanwhile, so replicas starting together take turns.
                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                GatewayLog.StoreMigrated(_logger, Description, string.Join(", ", pending));
            }

            var contents = await LoadAsync(cancellationToken).ConfigureAwait(false);
            GatewayLog.StoreOpened(_logger, Description, contents.Servers.Count, contents.VirtualServers.Count, known[^1], stopwatch.Elapsed.TotalMilliseconds);
        }
    }

    public async Task<RegistryContents> LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateContext();
        // One snapshot for both tables, so a concurrent save is seen whole or not at all.
        await using var transaction = await BeginReadTransactionAsync(db, cancellationToken).ConfigureAwait(false);
        var servers = await db.Servers.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var views = await db.VirtualServers.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RegistryContents(ToEntries(servers, Secrets), ToEntries(views, secrets: null));
    }

    public async Task SaveAsync(RegistryChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        CheckNoConflicts(changes.UpsertServers, changes.RemoveServers, "servers");
        CheckNoConflicts(changes.UpsertVirtualServers, changes.RemoveVirtualServers, "virtual servers");
        if (changes.IsEmpty)
        {
            return;
        }

        var stopwatch = Stopwatch.StartNew();

        // Encrypted before the transaction: a first key may have to be written to this database, which a held SQLite write lock would block.
        var upsertServers = Secrets is { } secrets
            ? changes.UpsertServers.Select(entry => entry with { Definition = secrets.Protect(entry.Definition) }).ToList()
            : changes.UpsertServers;
        await using var db = CreateContext();
        // SQLite: BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), so the write lock is held from the start.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Bump first: on PostgreSQL this locks the revision row, so concurrent savers (other replicas) queue here
        // instead of racing on the upserts below.
        var bumped = await db.Revision.Where(r => r.Id == RegistryDbContext.RevisionRowId)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Revision, r => r.Revision + 1), cancellationToken).ConfigureAwait(false);
        if (bumped != 1)
        {
            throw new InvalidOperationException($"Registry store {Description}: the revision row is missing; the database was changed outside mcp-gateway.");
        }

        await ApplyAsync(db.Servers, upsertServers, changes.RemoveServers, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(db.VirtualServers, changes.UpsertVirtualServers, changes.RemoveVirtualServers, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var revision = await ReadRevisionAsync(db, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            GatewayLog.StoreSaved(_logger, revision, Summarize(changes), stopwatch.Elapsed.TotalMilliseconds);
        }
    }

    public async Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateContext();
        return await ReadRevisionAsync(db, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lets go of pooled connections (and with them the SQLite file).</summary>
    public void Dispose()
    {
        if (_options.Provider == StorageProvider.Postgres)
        {
            using var connection = new NpgsqlConnection(_connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
        else
        {
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }
    }

    internal RegistryDbContext CreateContext() => new(_contextOptions);

    /// <summary>Creates the directory and file, and switches the file to WAL (persistent, so once is enough).</summary>
    private async Task PrepareSqliteFileAsync(CancellationToken cancellationToken)
    {
        var path = _options.SqlitePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var created = !File.Exists(path);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout={SqliteBusyTimeoutMs}";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "PRAGMA journal_mode=WAL";
        var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Registry store {Description}: SQLite did not switch to WAL journal mode (it reports '{mode}'); put the file on a local file system.");
        }

        if (created)
        {
            GatewayLog.StoreFileCreated(_logger, path);
        }
    }

    private async Task<IDbContextTransaction> BeginReadTransactionAsync(RegistryDbContext db, CancellationToken cancellationToken)
    {
        if (_options.Provider == StorageProvider.Postgres)
        {
            return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        }

        // A deferred transaction only takes a read snapshot (WAL), not the write lock BEGIN IMMEDIATE would.
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken).ConfigureAwait(false);
        return db.Database.CurrentTransaction!;
    }

    private static async Task ApplyAsync<TEntry>(DbSet<TEntry> set, IReadOnlyList<RegistryEntry> upserts, IReadOnlyList<string> removes, CancellationToken cancellationToken)
        where TEntry : StoredEntry, new()
    {
        if (upserts.Count == 0 && removes.Count == 0)
        {
            return;
        }

        var names = upserts.Select(e => e.Name).Concat(removes).ToList();
        var existing = await set.Where(e => names.Contains(e.Name)).ToDictionaryAsync(e => e.Name, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        foreach (var name in removes)
        {
            // Removing a name that is not stored is a no-op.
            if (existing.TryGetValue(name, out var stored))
            {
                set.Remove(stored);
            }
        }

        foreach (var entry in upserts)
        {
            if (existing.TryGetValue(entry.Name, out var stored))
            {
                // CreatedAt stays what it was when the name was first stored.
                stored.Definition = entry.Definition;
                stored.UpdatedAtTicks = entry.UpdatedAt.UtcTicks;
            }
            else
            {
                set.Add(new TEntry { Name = entry.Name, Definition = entry.Definition, CreatedAtTicks = entry.CreatedAt.UtcTicks, UpdatedAtTicks = entry.UpdatedAt.UtcTicks });
            }
        }
    }

    /// <summary>A name twice in one change set has no single meaning; refuse it before touching the database.</summary>
    private static void CheckNoConflicts(IReadOnlyList<RegistryEntry> upserts, IReadOnlyList<string> removes, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in upserts.Select(e => e.Name).Concat(removes))
        {
            if (!seen.Add(name))
            {
                throw new ArgumentException($"'{name}' appears more than once among the {what} of one change set; upsert or remove each name once.", nameof(upserts));
            }
        }
    }

    private static Task<long> ReadRevisionAsync(RegistryDbContext db, CancellationToken cancellationToken) =>
        db.Revision.Where(r => r.Id == RegistryDbContext.RevisionRowId).Select(r => r.Revision).SingleAsync(cancellationToken);

    /// <summary>Ordered here, by creation then name (ordinal), so both providers agree whatever their collation.</summary>
    private static List<RegistryEntry> ToEntries<TEntry>(List<TEntry> stored, StoredSecrets? secrets)
        where TEntry : StoredEntry =>
        stored.OrderBy(e => e.CreatedAtTicks).ThenBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => new RegistryEntry(e.Name, secrets?.Unprotect(e.Name, e.Definition) ?? e.Definition, new DateTimeOffset(e.CreatedAtTicks, TimeSpan.Zero), new DateTimeOffset(e.UpdatedAtTicks, TimeSpan.Zero)))
            .ToList();

    private static string Summarize(RegistryChanges changes) =>
        $"{changes.UpsertServers.Count} server(s) upserted, {changes.RemoveServers.Count} removed; "
        + $"{changes.UpsertVirtualServers.Count} view(s) upserted, {changes.RemoveVirtualServers.Count} removed";

    /// <summary>Per-connection SQLite settings: FULL makes a returned commit survive power loss (registry writes are rare).</summary>
    private sealed class SqliteConnectionPragmas : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"; // busy_timeout = SqliteBusyTimeoutMs

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
