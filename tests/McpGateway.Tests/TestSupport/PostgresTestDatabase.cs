using Npgsql;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// A uniquely named database on the PostgreSQL server named by <c>MCP_GATEWAY_TEST_POSTGRES</c> (see
/// scripts/test-postgres.sh), dropped on dispose. The database itself is not created here: the store under test does that.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "MCP_GATEWAY_TEST_POSTGRES";

    private readonly string _serverConnectionString;

    private PostgresTestDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Points at <see cref="Name"/>.</summary>
    public string ConnectionString { get; }

    /// <summary>Skips the calling test when no test server is configured.</summary>
    public static PostgresTestDatabase Create()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            Assert.Skip($"PostgreSQL tests need a server: run `scripts/test-postgres.sh start` and export {Variable}=<the connection string it prints>");
        }

        return new PostgresTestDatabase(server, $"mcpgw_test_{Guid.NewGuid():N}");
    }

    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)";
        await command.ExecuteNonQueryAsync();
    }
}
