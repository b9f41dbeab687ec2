using System.Data.Common;
using McpGateway.Configuration;
using McpGateway.Storage;
using McpGateway.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace McpGateway.Tests.Storage;

/// <summary>An empty registry database of either provider ("sqlite": a file in a fresh temp directory; "postgres": see <see cref="PostgresTestDatabase"/>).</summary>
public sealed class RegistryTestDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly PostgresTestDatabase? _postgres;
    private readonly List<EfRegistryStore> _stores = [];

    private RegistryTestDatabase(StorageOptions options, string? directory, PostgresTestDatabase? postgres)
    {
        Options = options;
        _directory = directory;
        _postgres = postgres;
    }

    public StorageOptions Options { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public static RegistryTestDatabase Create(string provider)
    {
        if (provider == "postgres")
        {
            var postgres = PostgresTestDatabase.Create();
            return new RegistryTestDatabase(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = postgres.ConnectionString }, null, postgres);
        }

        // The data directory does not exist yet: the store creates it.
        var directory = Path.Combine(Path.GetTempPath(), $"mcpgw-store-{Guid.NewGuid():N}");
        return new RegistryTestDatabase(new StorageOptions { Path = Path.Combine(directory, "data", "registry.db") }, directory, null);
    }

    /// <summary>A new store instance over the same database, as a restarted gateway would open it.</summary>
    internal EfRegistryStore OpenStore()
    {
        var store = new EfRegistryStore(Options, new Logger<EfRegistryStore>(new LoggerFactory([Logs])));
        _stores.Add(store);
        return store;
    }

    internal async Task<EfRegistryStore> OpenInitializedStoreAsync()
    {
        var store = OpenStore();
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        return store;
    }

    /// <summary>Raw SQL on a connection of its own (outside the store).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using DbConnection connection = Options.Provider == StorageProvider.Postgres
            ? new NpgsqlConnection(Options.ConnectionString)
            : new SqliteConnection($"Data Source={Options.SqlitePath};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        Logs.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
