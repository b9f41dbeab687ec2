using McpGateway.Configuration;
using McpGateway.Storage;
using Microsoft.EntityFrameworkCore;

namespace McpGateway.Tests.Storage;

/// <summary>The registry store against a real SQLite file and a real PostgreSQL server (skipped without MCP_GATEWAY_TEST_POSTGRES).</summary>
public sealed class EfRegistryStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task InitializeAsync_NewDatabase_LoadsEmptyAtRevisionZero(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = await database.OpenInitializedStoreAsync();

        var contents = await store.LoadAsync(Ct);

        contents.Servers.Should().BeEmpty();
        contents.VirtualServers.Should().BeEmpty();
        (await store.GetRevisionAsync(Ct)).Should().Be(0);
        database.Logs.CountEvents(4001).Should().Be(1, "the initial migration is applied and logged once");
        database.Logs.CountEvents(4000).Should().Be(1);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SaveAsync_ThenLoadInNewStore_ReturnsEntriesInCreationOrder(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var first = await database.OpenInitializedStoreAsync();
        await first.SaveAsync(Changes(
            servers: [Entry("zeta", """{"command":"npx"}""", T0), Entry("alpha", """{"url":"https://a.example/mcp"}""", T0.AddMinutes(1)), Entry("beta", "{}", T0)],
            views: [Entry("ops", """{"servers":["alpha"]}""", T0)]), Ct);

        // A second instance is what a restarted gateway opens: nothing may come from the first one's memory.
        var restarted = await database.OpenInitializedStoreAsync();
        var contents = await restarted.LoadAsync(Ct);

        contents.Servers.Select(s => s.Name).Should().Equal("beta", "zeta", "alpha");
        contents.Servers[2].Should().Be(Entry("alpha", """{"url":"https://a.example/mcp"}""", T0.AddMinutes(1)));
        contents.VirtualServers.Should().Equal(Entry("ops", """{"servers":["alpha"]}""", T0));
        database.Logs.CountEvents(4001).Should().Be(1, "the second open finds the schema up to date");
        database.Logs.CountEvents(4000).Should().Be(2);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SaveAsync_UpsertOfStoredName_KeepsCreatedAtAndReplacesDefinitionAndUpdatedAt(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = await database.OpenInitializedStoreAsync();
        await store.SaveAsync(Changes(servers: [Entry("a", """{"command":"old"}""", T0)]), Ct);

        await store.SaveAsync(Changes(servers: [new RegistryEntry("a", """{"command":"new"}""", T0.AddHours(5), T0.AddHours(5))]), Ct);

        var stored = (await store.LoadAsync(Ct)).Servers.Should().ContainSingle().Subject;
        stored.Should().Be(new RegistryEntry("a", """{"command":"new"}""", T0, T0.AddHours(5)));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SaveAsync_OnePartViolatesConstraint_NothingOfTheChangeIsVisible(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = await database.OpenInitializedStoreAsync();
        await store.SaveAsync(Changes(servers: [Entry("a", "{\"v\":1}", T0), Entry("b", "{}", T0)]), Ct);
        var before = await store.LoadAsync(Ct);

        // The view's name breaks the name-length CHECK, after the server changes were already sent in the same transaction.
        var tooLong = new string('v', RegistryDbContext.MaxNameLength + 1);
        var save = () => store.SaveAsync(
            new RegistryChanges([Entry("a", "{\"v\":2}", T0.AddMinutes(1)), Entry("c", "{}", T0)], ["b"], [Entry(tooLong, "{}", T0)], []), Ct);

        await save.Should().ThrowAsync<DbUpdateException>();
        var after = await database.OpenStore().LoadAsync(Ct);
        after.Servers.Should().Equal(before.Servers);
        after.VirtualServers.Should().BeEmpty();
        (await store.GetRevisionAsync(Ct)).Should().Be(1, "the failed change set's revision bump was rolled back too");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SaveAsync_EveryChangeSet_GrowsRevisionAndAnEmptyOneDoesNot(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = await database.OpenInitializedStoreAsync();
        List<long> revisions = [await store.GetRevisionAsync(Ct)];

        await store.SaveAsync(Changes(servers: [Entry("a", "{}", T0)]), Ct);
        revisions.Add(await store.GetRevisionAsync(Ct));
        await store.SaveAsync(Changes(views: [Entry("v", "{}", T0)]), Ct);
        revisions.Add(await store.GetRevisionAsync(Ct));
        await store.SaveAsync(new RegistryChanges([], ["a"], [], ["v"]), Ct);
        revisions.Add(await store.GetRevisionAsync(Ct));
        await store.SaveAsync(Changes(), Ct);
        revisions.Add(await store.GetRevisionAsync(Ct));

        revisions.Should().Equal(0, 1, 2, 3, 3);
        (await database.OpenStore().GetRevisionAsync(Ct)).Should().Be(3, "another instance (replica) sees the same counter");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SaveAsync_RemoveOfMissingName_IsNoOpAndRemoveOfStoredNameDeletesIt(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = await database.OpenInitializedStoreAsync();
        await store.SaveAsync(Changes(servers: [Entry("a", "{}", T0), Entry("b", "{}", T0)], views: [Entry("v", "{}", T0)]), Ct);

        await store.SaveAsync(new RegistryChanges([], ["a", "never-stored"], [], ["also-missing"]), Ct);

        var contents = await store.LoadAsync(Ct);
        contents.Servers.Select(s => s.Name).Should().Equal("b");
        contents.VirtualServers.Select(v => v.Name).Should().Equal("v");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SaveAsync_ConcurrentSavesFromTwoStores_AllLandWithOneRevisionEach(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var first = await database.OpenInitializedStoreAsync();
        var second = await database.OpenInitializedStoreAsync();

        // Two "replicas" upserting overlapping names at once: each save must wait for the other, not fail or lose a write.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            () => (i % 2 == 0 ? first : second).SaveAsync(Changes(servers: [Entry($"s{i % 5}", $"{{\"by\":{i}}}", T0.AddSeconds(i))]), Ct), Ct)));

        (await first.GetRevisionAsync(Ct)).Should().Be(20);
        (await second.LoadAsync(Ct)).Servers.Select(s => s.Name).Should().BeEquivalentTo(["s0", "s1", "s2", "s3", "s4"]);
    }

    [Fact]
    public async Task SaveAsync_SameNameTwiceInOneChangeSet_IsRefusedBeforeWriting()
    {
        await using var database = RegistryTestDatabase.Create("sqlite");
        var store = await database.OpenInitializedStoreAsync();

        var save = () => store.SaveAsync(new RegistryChanges([Entry("a", "{}", T0)], ["a"], [], []), Ct);

        (await save.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("'a'");
        (await store.GetRevisionAsync(Ct)).Should().Be(0);
    }

    [Fact]
    public async Task InitializeAsync_Sqlite_CreatesDirectoryAndFileInWalModeWithFullSync()
    {
        await using var database = RegistryTestDatabase.Create("sqlite");
        Directory.Exists(Path.GetDirectoryName(database.Options.SqlitePath)).Should().BeFalse();

        var store = await database.OpenInitializedStoreAsync();

        File.Exists(database.Options.SqlitePath).Should().BeTrue();
        (await database.ScalarAsync("PRAGMA journal_mode")).Should().Be("wal");
        store.Description.Should().Be($"sqlite {database.Options.SqlitePath}");
        database.Logs.CountEvents(4004).Should().Be(1);

        // synchronous is per connection: every connection the store opens must run with FULL (2).
        await using var db = store.CreateContext();
        await db.Database.OpenConnectionAsync(Ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        (await command.ExecuteScalarAsync(Ct)).Should().Be(2L);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task InitializeAsync_DatabaseHasUnknownNewerMigration_ThrowsStorageSchemaExceptionNamingIt(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = await database.OpenInitializedStoreAsync();
        await store.SaveAsync(Changes(servers: [Entry("kept", "{}", T0)]), Ct);
        await database.ScalarAsync("""INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ('29990101000000_FromTheFuture', '99.0.0')""");

        var initialize = () => database.OpenStore().InitializeAsync(Ct);

        var refused = (await initialize.Should().ThrowAsync<StorageSchemaException>()).Which;
        refused.Message.Should().Contain("29990101000000_FromTheFuture")
            .And.Contain("20261122000000_InitialRegistry")
            .And.Contain("upgrade mcp-gateway or point storage at another database");
        database.Logs.CountEvents(4002).Should().Be(1);
        (await store.LoadAsync(Ct)).Servers.Should().ContainSingle("a refused open must not touch the data");
    }

    [Fact]
    public void Description_Postgres_NamesHostPortAndDatabaseButNotThePassword()
    {
        var store = new EfRegistryStore(
            new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = "Host=db.example.com;Port=6543;Database=registry;Username=gw;Password=s3cret" },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EfRegistryStore>.Instance);

        store.Description.Should().Be("postgres db.example.com:6543/registry");
    }

    private static RegistryEntry Entry(string name, string definition, DateTimeOffset createdAt) => new(name, definition, createdAt, createdAt);

    private static RegistryChanges Changes(IReadOnlyList<RegistryEntry>? servers = null, IReadOnlyList<RegistryEntry>? views = null) =>
        new(servers ?? [], [], views ?? [], []);
}
