using McpGateway.Configuration;
using static McpGateway.Tests.TestSupport.ConfigLoading;

namespace McpGateway.Tests.Configuration;

/// <summary><c>storage:</c> provider, SQLite path resolution and the PostgreSQL connection string.</summary>
public sealed class GatewayConfigLoaderStorageTests
{
    private const string Servers = "mcpServers: { a: { command: npx } }\n";

    [Fact]
    public void LoadText_NoStorageSectionAndSourceNotAFile_SqliteUnderDataInCurrentDirectory()
    {
        var result = Load(Servers);

        result.Warnings.Should().BeEmpty();
        result.Config!.Storage.Should().Be(new StorageOptions
        {
            Provider = StorageProvider.Sqlite,
            Path = Path.Combine(Directory.GetCurrentDirectory(), "data", "mcp-gateway.db"),
        });
    }

    [Fact]
    public void LoadText_DataDirVariableSet_DefaultFileInThatDirectory()
    {
        var result = Load(Servers, ("MCP_GATEWAY_DATA_DIR", "/var/lib/mcp-gateway"));

        result.Config!.Storage.SqlitePath.Should().Be("/var/lib/mcp-gateway/mcp-gateway.db");
    }

    [Fact]
    public void LoadFile_RelativeAndDefaultPaths_ResolveAgainstTheConfigFilesDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("mcpgw-config-");
        try
        {
            var withPath = Path.Combine(directory.FullName, "with-path.yaml");
            File.WriteAllText(withPath, Servers + "storage: { path: state/registry.db }\n");
            var withoutPath = Path.Combine(directory.FullName, "without-path.yaml");
            File.WriteAllText(withoutPath, Servers);

            GatewayConfigLoader.LoadFile(withPath, _ => null).Config!.Storage.Path.Should().Be(Path.Combine(directory.FullName, "state", "registry.db"));
            GatewayConfigLoader.LoadFile(withoutPath, _ => null).Config!.Storage.Path.Should().Be(Path.Combine(directory.FullName, "data", "mcp-gateway.db"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void LoadText_AbsoluteSqlitePath_KeptAsWritten()
    {
        var result = Load(Servers + "storage: { provider: sqlite, path: /srv/gw/reg.db }\n");

        result.Config!.Storage.Path.Should().Be("/srv/gw/reg.db");
    }

    [Fact]
    public void LoadText_PostgresWithConnectionString_ExpandsVariables()
    {
        var result = Load(
            Servers + "storage:\n  provider: postgres\n  connectionString: \"Host=db;Database=gw;Username=gw;Password=${PGPASSWORD}\"\n",
            ("PGPASSWORD", "s3cret"));

        result.Errors.Should().BeEmpty();
        result.Config!.Storage.Should().Be(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = "Host=db;Database=gw;Username=gw;Password=s3cret" });
    }

    [Fact]
    public void LoadText_PostgresWithoutConnectionString_ErrorNamesTheKey()
    {
        var error = SingleError(Load(Servers + "storage: { provider: postgres }\n"));

        error.Key.Should().Be("storage.connectionString");
        error.Message.Should().Contain("required with `provider: postgres`").And.Contain("Host=");
    }

    [Theory]
    [InlineData("Host=db;Password=s3cret;Colour=blue")]
    [InlineData("Database=gw;Password=s3cret")]
    public void LoadText_PostgresConnectionStringUnusable_ErrorWithoutThePassword(string connectionString)
    {
        var error = SingleError(Load(Servers + $"storage: {{ provider: postgres, connectionString: \"{connectionString}\" }}\n"));

        error.Key.Should().Be("storage.connectionString");
        error.Message.Should().NotContain("s3cret").And.Contain("Host=");
    }

    [Fact]
    public void LoadText_UnknownProvider_ErrorListsTheChoices()
    {
        var error = SingleError(Load(Servers + "storage: { provider: mysql }\n"));

        error.Key.Should().Be("storage.provider");
        error.Message.Should().Contain("`mysql`").And.Contain("sqlite, postgres");
    }

    [Fact]
    public void LoadText_KeysOfTheOtherProvider_AreWarnings()
    {
        var sqlite = Load(Servers + "storage: { path: a.db, connectionString: \"Host=db\" }\n");
        var postgres = Load(Servers + "storage: { provider: postgres, path: a.db, connectionString: \"Host=db\" }\n");

        sqlite.Config.Should().NotBeNull();
        sqlite.Warnings.Should().ContainSingle().Which.Key.Should().Be("storage.connectionString");
        postgres.Config.Should().NotBeNull();
        postgres.Warnings.Should().ContainSingle().Which.Key.Should().Be("storage.path");
    }

    [Fact]
    public void LoadText_UnknownStorageKey_IsAWarningNamingTheKey()
    {
        var result = Load(Servers + "storage: { file: a.db }\n");

        result.Config.Should().NotBeNull();
        result.Warnings.Should().ContainSingle().Which.Key.Should().Be("storage.file");
    }

    [Fact]
    public void RestartRequiredSettings_StorageChanged_ReportsStorage()
    {
        var before = Load(Servers + "storage: { path: /a.db }\n").Config!;
        var after = Load(Servers + "storage: { path: /b.db }\n").Config!;
        var same = Load(Servers + "storage: { path: /a.db }\n").Config!;

        ConfigChange.RestartRequiredSettings(before, after).Should().Equal("storage");
        ConfigChange.RestartRequiredSettings(before, same).Should().BeEmpty();
    }

    [Fact]
    public void LoadText_PollInterval_AppliesToEitherProviderAndDefaultsToPostgresOnly()
    {
        Load(Servers).Config!.Storage.EffectivePollInterval.Should().BeNull("one process owns a SQLite file");
        Load(Servers + "storage: { pollInterval: 2s }\n").Config!.Storage.EffectivePollInterval.Should().Be(TimeSpan.FromSeconds(2));
        Load(Servers + "storage: { provider: postgres, connectionString: \"Host=db;Database=x\" }\n").Config!.Storage.EffectivePollInterval
            .Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void LoadText_PollIntervalBelow100ms_IsAnErrorNamingTheKey()
    {
        SingleError(Load(Servers + "storage: { pollInterval: 10ms }\n")).Key.Should().Be("storage.pollInterval");
    }

    [Fact]
    public void LoadText_KeyRing_ReadsTheCertificateSource_AndRequiresTheCertificate()
    {
        var pem = Load(Servers + "storage: { keyRing: { certificate: /etc/k.pem, key: /etc/k.key } }\n");
        var pfx = Load(Servers + "storage: { provider: postgres, connectionString: \"Host=db\", keyRing: { certificate: /etc/k.pfx, password: \"${PW}\" } }\n", ("PW", "secret"));
        var missing = Load(Servers + "storage: { keyRing: { key: /etc/k.key } }\n");

        pem.Config!.Storage.KeyRing.Should().Be(new KeyRingProtection("/etc/k.pem", "/etc/k.key", null));
        pfx.Config!.Storage.KeyRing.Should().Be(new KeyRingProtection("/etc/k.pfx", null, "secret"));
        var error = missing.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be("storage.keyRing");
        error.Message.Should().Contain("`certificate` is required");
    }
}
