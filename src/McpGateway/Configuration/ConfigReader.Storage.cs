using Npgsql;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary><c>storage:</c> where run-time registrations are kept (SQLite file or PostgreSQL).</summary>
internal sealed partial class ConfigReader
{
    private const string StorageKey = "storage";

    private const string PostgresExample = "`connectionString: \"Host=db.example.com;Port=5432;Database=mcp_gateway;Username=gateway;Password=${PGPASSWORD}\"`";

    private static readonly string[] StorageKeys = ["provider", "path", "connectionString", "pollInterval", "keyRing"];

    private static readonly string[] KeyRingKeys = ["certificate", "key", "password"];

    private static readonly string[] StorageProviders = ["sqlite", "postgres"];

    /// <summary>The section, or only the defaults when <paramref name="node"/> is null; relative paths resolve against the config file's directory.</summary>
    private StorageOptions ReadStorage(YamlNode? node, string path, string source)
    {
        var options = ReadStorageLocation(node, path, source);
        if (node is YamlMappingNode map)
        {
            foreach (var (key, _, value) in Entries(map, path))
            {
                if (key == "keyRing" && !IsNull(value))
                {
                    options = ReadKeyRing(value, Join(path, key)) is { } keyRing ? options with { KeyRing = keyRing } : options;
                }

                if (key == "pollInterval" && !IsNull(value) && ReadDuration(value, Join(path, key)) is { } interval)
                {
                    if (interval < TimeSpan.FromMilliseconds(100))
                    {
                        Error(Join(path, key), value, "must be at least 100ms; write e.g. 5s");
                    }
                    else
                    {
                        options = options with { PollInterval = interval };
                    }
                }
            }
        }

        return options;
    }

    /// <summary><c>storage.keyRing</c>: <c>{ certificate, key }</c> (PEM) or <c>{ certificate, password }</c> (PKCS#12).</summary>
    private KeyRingProtection? ReadKeyRing(YamlNode node, string path)
    {
        const string Example = "`{ certificate: /etc/mcp-gateway/keyring.pem, key: /etc/mcp-gateway/keyring.key }`";
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {Example}, not a {KindOf(node)}");
            return null;
        }

        string? certificate = null, key = null, password = null;
        foreach (var (entry, keyNode, value) in Entries(map, path))
        {
            var entryPath = Join(path, entry);
            switch (entry)
            {
                case "certificate":
                    certificate = ReadNonEmptyString(value, entryPath, "/etc/mcp-gateway/keyring.pem");
                    break;
                case "key":
                    key = ReadNonEmptyString(value, entryPath, "/etc/mcp-gateway/keyring.key");
                    break;
                case "password":
                    password = ReadNonEmptyString(value, entryPath, "\"${KEYRING_PASSWORD}\"");
                    break;
                default:
                    UnknownKey(entryPath, keyNode, KeyRingKeys);
                    break;
            }
        }

        if (certificate is null)
        {
            Error(path, map, $"`certificate` is required; write e.g. {Example}");
            return null;
        }

        return new KeyRingProtection(certificate, key, password);
    }

    private StorageOptions ReadStorageLocation(YamlNode? node, string path, string source)
    {
        var baseDirectory = File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : Directory.GetCurrentDirectory();
        var defaults = new StorageOptions { Path = DefaultSqlitePath(baseDirectory) };
        if (node is null || IsNull(node))
        {
            return defaults;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ provider: sqlite, path: data/{StorageOptions.DefaultFileName} }}`, not a {KindOf(node)}");
            return defaults;
        }

        YamlNode? providerNode = null, pathNode = null, connectionNode = null;
        (YamlScalarNode Key, string Path)? pathKey = null, connectionKey = null;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            switch (key)
            {
                case "provider":
                    providerNode = value;
                    break;
                case "path":
                    (pathNode, pathKey) = (value, (keyNode, Join(path, key)));
                    break;
                case "connectionString":
                    (connectionNode, connectionKey) = (value, (keyNode, Join(path, key)));
                    break;
                case "pollInterval" or "keyRing":
                    // Read by ReadStorage: they apply to either provider.
                    break;
                default:
                    UnknownKey(Join(path, key), keyNode, StorageKeys);
                    break;
            }
        }

        var provider = providerNode is null ? StorageProvider.Sqlite : ReadStorageProvider(providerNode, Join(path, "provider"));
        if (provider is null)
        {
            return defaults;
        }

        if (provider == StorageProvider.Postgres)
        {
            if (pathKey is { } ignoredPath)
            {
                Warning(ignoredPath.Path, ignoredPath.Key, "applies to `provider: sqlite` only and is ignored with postgres; remove it");
            }

            if (connectionNode is null)
            {
                Error(Join(path, "connectionString"), providerNode, $"is required with `provider: postgres`; add {PostgresExample}");
                return defaults;
            }

            return ReadPostgresConnectionString(connectionNode, connectionKey!.Value.Path) is { } connectionString
                ? new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString }
                : defaults;
        }

        if (connectionKey is { } ignoredConnection)
        {
            Warning(ignoredConnection.Path, ignoredConnection.Key, "applies to `provider: postgres` only and is ignored with sqlite; remove it or add `provider: postgres`");
        }

        if (pathNode is null)
        {
            return defaults;
        }

        if (ReadNonEmptyString(pathNode, pathKey!.Value.Path, $"a file path such as data/{StorageOptions.DefaultFileName}") is not { } file)
        {
            return defaults;
        }

        try
        {
            return defaults with { Path = Path.GetFullPath(file.Trim(), baseDirectory) };
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Error(pathKey.Value.Path, pathNode, $"`{Raw(pathNode)}` is not a usable file path; write e.g. data/{StorageOptions.DefaultFileName} (relative to the config file) or an absolute path");
            return defaults;
        }
    }

    /// <summary><c>$MCP_GATEWAY_DATA_DIR/mcp-gateway.db</c> when the variable is set, else <c>data/mcp-gateway.db</c> next to the config file.</summary>
    private string DefaultSqlitePath(string baseDirectory)
    {
        var dataDirectory = getVariable(StorageOptions.DataDirectoryVariable);
        return string.IsNullOrWhiteSpace(dataDirectory)
            ? Path.Combine(baseDirectory, StorageOptions.DefaultDirectory, StorageOptions.DefaultFileName)
            : Path.Combine(Path.GetFullPath(dataDirectory.Trim()), StorageOptions.DefaultFileName);
    }

    private StorageProvider? ReadStorageProvider(YamlNode node, string path)
    {
        if (Text(node, path, "sqlite or postgres") is not { } text)
        {
            return null;
        }

        switch (text.Trim().ToLowerInvariant())
        {
            case "sqlite":
                return StorageProvider.Sqlite;
            case "postgres" or "postgresql":
                return StorageProvider.Postgres;
            default:
                Error(path, node, $"`{Raw(node)}` is not a storage provider; write one of {string.Join(", ", StorageProviders)}");
                return null;
        }
    }

    /// <summary>Checked with Npgsql's own parser; messages never quote the value (it holds a password).</summary>
    private string? ReadPostgresConnectionString(YamlNode node, string path)
    {
        if (ReadNonEmptyString(node, path, PostgresExample) is not { } text)
        {
            return null;
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            Error(path, node, $"cannot be read as a PostgreSQL connection string (keys such as Host, Port, Database, Username, Password separated by `;`, each `Key=value`); e.g. {PostgresExample}");
            return null;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            Error(path, node, $"names no server; add `Host=...`, e.g. {PostgresExample}");
            return null;
        }

        return text;
    }
}
