using System.Net;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Hosting;

/// <summary><c>mcp-gateway keys create|list|revoke</c> against a real gateway with API keys switched on.</summary>
public sealed class AdminCliKeysTests
{
    private const string AdminToken = "0123456789abcdef-admin-token";

    private static Task<GatewayHarness> StartAsync() =>
        GatewayHarness.StartAsync($"gateway: {{ adminToken: {AdminToken} }}\nauth: {{ apiKeys: true }}\nmcpServers:\n" + GatewayHarness.DemoServer("demo"));

    private static Task<(int Code, string Out, string Err)> RunAgainstAsync(GatewayHarness gateway, params string[] args) =>
        AdminCliTests.RunAsync([.. args, "--gateway", gateway.BaseAddress.ToString(), "--token", AdminToken]);

    private static async Task<HttpStatusCode> InitializeWithAsync(GatewayHarness gateway, string key) =>
        (await McpCalls.TryInitializeAsync(McpCalls.Client(gateway, "mcp", key))).Status;

    [Fact]
    public async Task KeysCreate_PrintsOnlyTheKey_WhichAuthenticatesOnTheDataPlane()
    {
        await using var gateway = await StartAsync();

        var created = await RunAgainstAsync(gateway, "keys", "create", "ci-bot", "--role", "dev", "--tenant", "acme", "--expires", "30d");

        created.Code.Should().Be(0, created.Err);
        var key = created.Out.Trim();
        key.Should().MatchRegex("^mgw_[0-9a-f]{16}_[0-9a-f]{64}$");
        created.Err.Should().Contain("not shown again");
        (await InitializeWithAsync(gateway, key)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task KeysListAndRevoke_ShowsStateWithoutSecret_RevokedKeyIsRefused()
    {
        await using var gateway = await StartAsync();
        var key = (await RunAgainstAsync(gateway, "keys", "create", "ci-bot", "--role", "dev")).Out.Trim();
        var id = key.Split('_')[1];

        var listed = await RunAgainstAsync(gateway, "keys", "list");
        var revoked = await RunAgainstAsync(gateway, "keys", "revoke", id);
        var listedAfter = await RunAgainstAsync(gateway, "keys", "list");

        listed.Code.Should().Be(0, listed.Err);
        listed.Out.Should().MatchRegex($@"(?m)^{id}\s+ci-bot\s+dev\s+-\s+active\s+never\s+never\s*$").And.NotContain(key[^64..]);
        revoked.Should().Match<(int Code, string Out, string Err)>(r => r.Code == 0 && r.Out.Contains($"revoked {id}"));
        listedAfter.Out.Should().MatchRegex($@"(?m)^{id}\s+ci-bot\s+dev\s+-\s+revoked\s");
        (await InitializeWithAsync(gateway, key)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task KeysRevoke_UnknownId_ExitsOneWithTheProblem()
    {
        await using var gateway = await StartAsync();

        var (code, _, error) = await RunAgainstAsync(gateway, "keys", "revoke", "ffffffffffffffff");

        code.Should().Be(1);
        error.Should().Contain("no API key with id `ffffffffffffffff`");
    }

    [Fact]
    public async Task KeysCreate_BadLifetime_ExitsOneNamingTheField()
    {
        await using var gateway = await StartAsync();

        var (code, _, error) = await RunAgainstAsync(gateway, "keys", "create", "ci-bot", "--expires", "soon");

        code.Should().Be(1);
        error.Should().Contain("expiresIn");
    }
}
