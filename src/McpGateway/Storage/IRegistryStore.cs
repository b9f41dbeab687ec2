using McpGateway.Configuration;

namespace McpGateway.Storage;

/// <summary>
/// The persistent registry of servers and views registered at run time. SQLite file by default, PostgreSQL for replicas.
/// </summary>
public interface IRegistryStore
{
    /// <summary>"sqlite /path/to/mcp-gateway.db" or "postgres host:port/db" for logs; never a password.</summary>
    string Description { get; }

    /// <summary>
    /// Creates the database when missing and applies pending schema migrations. Throws <see cref="StorageSchemaException"/>
    /// when the database was migrated by a newer gateway (it has migrations this binary does not know).
    /// </summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<RegistryContents> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="changes"/> in one transaction; when it returns, the change survives a crash (SIGKILL, power loss on SQLite with synchronous=FULL).</summary>
    Task SaveAsync(RegistryChanges changes, CancellationToken cancellationToken);

    /// <summary>A number that grows with every saved change, so replicas sharing one database can notice changes cheaply.</summary>
    Task<long> GetRevisionAsync(CancellationToken cancellationToken);
}

/// <summary>The database schema cannot be used by this binary; the message says why and what to do.</summary>
public sealed class StorageSchemaException(string message) : Exception(message);

/// <summary>The store could not be opened (unreachable server, bad credentials, unwritable file); the message names the store.</summary>
public sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner);
