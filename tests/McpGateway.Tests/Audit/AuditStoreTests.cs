using McpGateway.Audit;
using McpGateway.Storage;
using McpGateway.Tests.Storage;

namespace McpGateway.Tests.Audit;

/// <summary>The audit table on SQLite and PostgreSQL: every column round-trips, filters, keyset paging, purge.</summary>
public sealed class AuditStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private static AuditRecord Record(int i, string principal = "apikey:a", string outcome = AuditOutcomes.Ok) =>
        new(AuditLog.NextId(Start.AddSeconds(i / 2)), Start.AddSeconds(i / 2), AuditKinds.ToolCall, principal, "alice", i % 3 == 0 ? "acme" : null,
            "default", "demo", $"demo__tool{i}", outcome, outcome == AuditOutcomes.Ok ? null : -32602, 1.25 + i, "0af7651916cd43dd8448eb211c80319c", "sha256:00");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Query_PagesWalkEveryRecordOnceNewestFirst_FiltersApply(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = new EfAuditStore(await database.OpenInitializedStoreAsync());
        var records = Enumerable.Range(0, 25).Select(i => Record(i, i % 5 == 0 ? "apikey:b" : "apikey:a", i % 4 == 0 ? AuditOutcomes.Denied : AuditOutcomes.Ok)).ToList();
        await store.AppendAsync(records, Ct);

        List<AuditRecord> walked = [];
        AuditCursor? after = null;
        var pages = 0;
        do
        {
            var page = await store.QueryAsync(new AuditQuery(Limit: 7, After: after), Ct);
            walked.AddRange(page.Items);
            after = page.NextCursor is { } next ? AuditCursor.Decode(next) : null;
            pages++;
        }
        while (after is not null);

        pages.Should().Be(4);
        walked.Should().BeEquivalentTo(records, "every record exactly once, every column as written").And.HaveCount(25);
        walked.Select(r => (r.Time, r.Id)).Should().BeInDescendingOrder(Comparer<(DateTimeOffset Time, string Id)>.Create((a, b) =>
            a.Time != b.Time ? a.Time.CompareTo(b.Time) : string.CompareOrdinal(a.Id, b.Id)), "newest first, ties by id");
        (await store.QueryAsync(new AuditQuery(PrincipalId: "apikey:b"), Ct)).Items.Should().HaveCount(5).And.OnlyContain(r => r.PrincipalId == "apikey:b");
        (await store.QueryAsync(new AuditQuery(Outcome: AuditOutcomes.Denied, Tenant: "acme"), Ct)).Items.Should().OnlyContain(r => r.Outcome == "denied" && r.Tenant == "acme").And.HaveCount(3);
        (await store.QueryAsync(new AuditQuery(ItemPrefix: "demo__tool1"), Ct)).Items.Should().HaveCount(11);
        (await store.QueryAsync(new AuditQuery(From: Start.AddSeconds(10), To: Start.AddSeconds(11)), Ct)).Items.Select(r => r.Item).Should().BeEquivalentTo(["demo__tool20", "demo__tool21"]);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Purge_DeletesOnlyOlderRecords(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = new EfAuditStore(await database.OpenInitializedStoreAsync());
        await store.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Record(i))], Ct);

        var purged = await store.PurgeAsync(Start.AddSeconds(3), Ct);

        purged.Should().Be(6);
        (await store.QueryAsync(new AuditQuery(), Ct)).Items.Should().HaveCount(4).And.OnlyContain(r => r.Time >= Start.AddSeconds(3));
    }
}
