namespace McpGateway.Configuration;

/// <summary>Where servers and views registered at run time are stored.</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite file (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, e.g. shared by several gateway replicas.</summary>
    Postgres,
}

/// <summary>A certificate with its private key: PEM (<see cref="Certificate"/> and <see cref="Key"/>) or PKCS#12 (with <see cref="Password"/>).</summary>
public sealed record KeyRingProtection(string Certificate, string? Key, string? Password)
{
    /// <summary>Keeps the password out of <c>ToString</c>.</summary>
    public override string ToString() => $"certificate {Certificate}";
}

/// <summary>The <c>storage:</c> section. Read once at start-up: a change needs a restart.</summary>
public sealed record StorageOptions
{
    /// <summary>The SQLite file name in the data directory.</summary>
    public const string DefaultFileName = "mcp-gateway.db";

    /// <summary>The default data directory, relative to the config file's directory.</summary>
    public const string DefaultDirectory = "data";

    /// <summary>Overrides the data directory of the default SQLite file (containers mount a volume there).</summary>
    public const string DataDirectoryVariable = "MCP_GATEWAY_DATA_DIR";

    public StorageProvider Provider { get; init; } = StorageProvider.Sqlite;

    /// <summary>
    /// The SQLite file, an absolute path once the config was read; null only for a config without a source file, where
    /// <see cref="SqlitePath"/> falls back to <c>data/mcp-gateway.db</c> under the current directory.
    /// </summary>
    public string? Path { get; init; }

    /// <summary>The PostgreSQL connection string (<c>${VAR}</c> expanded); required for <see cref="StorageProvider.Postgres"/>.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// How often to look for registry changes other processes made to the same database (<c>storage.pollInterval</c>);
    /// null: every 5 s with PostgreSQL (replicas), never with SQLite (one process owns the file).
    /// </summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>The poll interval in force; null for none.</summary>
    public TimeSpan? EffectivePollInterval => PollInterval ?? (Provider == StorageProvider.Postgres ? TimeSpan.FromSeconds(5) : null);

    /// <summary>
    /// The certificate that encrypts the Data Protection key ring in the database (<c>storage.keyRing</c>); null: the
    /// key ring is stored unencrypted. Every replica sharing the database needs the same certificate.
    /// </summary>
    public KeyRingProtection? KeyRing { get; init; }

    /// <summary>The absolute path of the SQLite file.</summary>
    public string SqlitePath => System.IO.Path.GetFullPath(Path ?? System.IO.Path.Combine(DefaultDirectory, DefaultFileName));
}
