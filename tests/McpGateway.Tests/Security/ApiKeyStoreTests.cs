using FluentAssertions;
using McpGateway.Security;
using McpGateway.Storage;
using McpGateway.Tests.Storage;

namespace McpGateway.Tests.Security;

/// <summary><see cref="EfApiKeyStore"/> on both providers, through the registry store's migrations.</summary>
public sealed class ApiKeyStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Store_CreateFindTouchRevokeList_RoundTripsEveryColumn(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var store = new EfApiKeyStore(await database.OpenInitializedStoreAsync());
        var created = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
        var key = new ApiKeyRecord("0123456789abcdef", "ci", ["admin", "team-a"], "acme", created, created.AddDays(30), null, null, [1, 2, 3]);

        await store.CreateAsync(key, Ct);
        await store.TouchAsync(key.Id, created.AddMinutes(5), Ct);
        var revoked = await store.RevokeAsync(key.Id, created.AddHours(1), Ct);
        var revokedAgain = await store.RevokeAsync(key.Id, created.AddHours(2), Ct);
        var found = await new EfApiKeyStore(database.OpenStore()).FindAsync(key.Id, Ct);
        var list = await store.ListAsync(Ct);

        revoked.Should().BeTrue();
        revokedAgain.Should().BeTrue();
        found.Should().NotBeNull();
        found!.Should().BeEquivalentTo(key with { RevokedAt = created.AddHours(1), LastUsedAt = created.AddMinutes(5) }, o => o.ComparingByMembers<ApiKeyRecord>());
        list.Should().ContainSingle().Which.Id.Should().Be(key.Id);
        (await store.FindAsync("ffffffffffffffff", Ct)).Should().BeNull();
        (await store.RevokeAsync("ffffffffffffffff", created, Ct)).Should().BeFalse();
    }
}
