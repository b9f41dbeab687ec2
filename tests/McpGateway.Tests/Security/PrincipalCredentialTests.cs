using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Security;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Security;

/// <summary>
/// Per-principal upstream credentials (<c>auth: { type: perPrincipal }</c>): each principal stores its own through
/// <c>/api/v1/credentials</c>, only its own connections carry it (sessions, stateless requests, stdio processes), a
/// missing one is a clear JSON-RPC error, and the value is encrypted at rest and never shown again.
/// </summary>
public sealed class PrincipalCredentialTests : IDisposable
{
    private const string CredentialsPath = "api/v1/credentials";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-credentials-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SqlitePath => Path.Combine(_directory, "gateway.db");

    private Task<GatewayHarness> StartAsync(RecordingHttpMcpServer upstream, string extra = "") => GatewayHarness.StartAsync($$"""
        auth: { apiKeys: true }
        storage: { provider: sqlite, path: '{{SqlitePath}}' }
        {{extra}}
        mcpServers:
          remote: { url: "{{upstream.Endpoint}}", transport: streamable-http, auth: { type: perPrincipal, header: X-Upstream-Token, format: "token {credential}" } }
          plain: { url: "{{upstream.Endpoint}}", transport: streamable-http }
        {{GatewayHarness.DemoServer("local", "auth: { type: perPrincipal, env: DEMO_USER_TOKEN }")}}
        """);

    private static async Task<string> KeyAsync(GatewayHarness gateway, string name) =>
        (await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync(name, [], null, null, Ct)).Secret;

    private static Task<AdminAnswer> StoreAsync(GatewayHarness gateway, string key, string server, string credential) =>
        new AdminApiClient(gateway, key).PutAsync($"{CredentialsPath}/{server}", new JsonObject { ["credential"] = credential });

    private static JsonObject HeaderCall(string header) => new() { ["name"] = "header", ["arguments"] = new JsonObject { ["name"] = header } };

    private static async Task<JsonObject> CallHeaderAsync(McpHttpTestClient client) => await client.CallAsync("tools/call", HeaderCall("X-Upstream-Token"));

    private static string? Text(JsonObject answer) => (string?)answer["result"]?["content"]?[0]?["text"];

    private static Task<JsonObject> StatelessCallAsync(GatewayHarness gateway, string key, JsonObject call) =>
        McpCalls.StatelessAsync(McpCalls.Client(gateway, "servers/remote/mcp", key), "tools/call", call);

    [Fact]
    public async Task TwoPrincipals_EachConnectionCarriesOnlyItsOwnCredential_InSessionsAndStatelessRequests()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var alice = await KeyAsync(gateway, "alice");
        var bob = await KeyAsync(gateway, "bob");
        (await StoreAsync(gateway, alice, "remote", "alice-secret")).Status.Should().Be(HttpStatusCode.NoContent);
        (await StoreAsync(gateway, bob, "remote", "bob-secret")).Status.Should().Be(HttpStatusCode.NoContent);

        var aliceSession = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp", alice);
        var bobSession = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp", bob);

        Text(await CallHeaderAsync(aliceSession)).Should().Be("token alice-secret");
        Text(await CallHeaderAsync(bobSession)).Should().Be("token bob-secret");
        var bobStateless = await StatelessCallAsync(gateway, bob, HeaderCall("X-Upstream-Token"));
        Text(bobStateless).Should().Be("token bob-secret", bobStateless.ToJsonString());
        Text(await StatelessCallAsync(gateway, alice, HeaderCall("X-Upstream-Token"))).Should().Be("token alice-secret", "stateless links are per principal too");
        Text(await aliceSession.CallAsync("tools/call", HeaderCall("Authorization"))).Should().Be("<none>", "the client's own credential never goes upstream");
    }

    [Fact]
    public async Task WithoutACredential_InitializeAndCallsAreCredentialRequiredErrors_AndStoringOneFixesTheNextAttempt()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var carol = await KeyAsync(gateway, "carol");

        var initialize = await McpCalls.TryInitializeAsync(McpCalls.Client(gateway, "servers/remote/mcp", carol));
        var stateless = await StatelessCallAsync(gateway, carol, HeaderCall("X-Upstream-Token"));
        var requestsBefore = upstream.Requests.Count;
        (await StoreAsync(gateway, carol, "remote", "carol-secret")).Status.Should().Be(HttpStatusCode.NoContent);
        var statelessAfter = await StatelessCallAsync(gateway, carol, HeaderCall("X-Upstream-Token"));
        var session = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp", carol);

        foreach (var error in new[] { initialize.Last, stateless })
        {
            ((int?)error["error"]?["code"]).Should().Be(-32030, error.ToJsonString());
            ((string?)error["error"]?["message"]).Should().Contain("PUT /api/v1/credentials/remote");
            ((string?)error["error"]?["data"]?["server"]).Should().Be("remote");
        }

        requestsBefore.Should().Be(0, "nothing went upstream without the credential");
        Text(statelessAfter).Should().Be("token carol-secret", statelessAfter.ToJsonString());
        Text(await CallHeaderAsync(session)).Should().Be("token carol-secret");
    }

    [Fact]
    public async Task ReplacingOrDeletingACredential_OpenSessionsUseTheNewStateOnTheirNextCall()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var alice = await KeyAsync(gateway, "alice");
        await StoreAsync(gateway, alice, "remote", "first");
        var session = await McpCalls.ConnectAsync(gateway, "servers/remote/mcp", alice);
        var first = Text(await CallHeaderAsync(session));

        await StoreAsync(gateway, alice, "remote", "second");
        var second = Text(await CallHeaderAsync(session));
        var deleted = await new AdminApiClient(gateway, alice).DeleteAsync($"{CredentialsPath}/remote");
        var afterDelete = await CallHeaderAsync(session);
        var deletedAgain = await new AdminApiClient(gateway, alice).DeleteAsync($"{CredentialsPath}/remote");

        first.Should().Be("token first");
        second.Should().Be("token second");
        deleted.Status.Should().Be(HttpStatusCode.NoContent);
        ((int?)afterDelete["error"]?["code"]).Should().Be(-32030, afterDelete.ToJsonString());
        deletedAgain.Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StdioServer_EachPrincipalsProcessGetsItsCredentialInTheConfiguredVariable()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var alice = await KeyAsync(gateway, "alice");
        var bob = await KeyAsync(gateway, "bob");
        await StoreAsync(gateway, alice, "local", "alice-pat");
        await StoreAsync(gateway, bob, "local", "bob-pat");
        var env = new JsonObject { ["name"] = "env", ["arguments"] = new JsonObject { ["name"] = "DEMO_USER_TOKEN" } };

        var aliceAnswer = await (await McpCalls.ConnectAsync(gateway, "servers/local/mcp", alice)).CallAsync("tools/call", env.DeepClone());
        var bobAnswer = await (await McpCalls.ConnectAsync(gateway, "servers/local/mcp", bob)).CallAsync("tools/call", env.DeepClone());

        Text(aliceAnswer).Should().Be("alice-pat", aliceAnswer.ToJsonString());
        Text(bobAnswer).Should().Be("bob-pat", bobAnswer.ToJsonString());
    }

    [Fact]
    public async Task CredentialsApi_NeverShowsTheValue_StoresItEncrypted_AndItStillWorksAfterARestart()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        string alice;
        AdminAnswer listed;
        await using (var gateway = await StartAsync(upstream))
        {
            alice = await KeyAsync(gateway, "alice");
            await StoreAsync(gateway, alice, "remote", "planted-principal-secret-4c1d");
            listed = await new AdminApiClient(gateway, alice).GetAsync(CredentialsPath);
        }

        var raw = new StringBuilder(Encoding.Latin1.GetString(await File.ReadAllBytesAsync(SqlitePath, Ct)));
        if (File.Exists(SqlitePath + "-wal"))
        {
            raw.Append(Encoding.Latin1.GetString(await File.ReadAllBytesAsync(SqlitePath + "-wal", Ct)));
        }

        listed.Status.Should().Be(HttpStatusCode.OK, listed.ToString());
        listed.ToString().Should().NotContain("planted-principal-secret");
        ((string?)listed.Json["credentials"]?[0]?["server"]).Should().Be("remote");
        listed.Json["credentials"]?[0]?["updatedAt"].Should().NotBeNull();
        listed.Json["servers"]!.AsArray().Select(s => (string?)s).Should().Equal("local", "remote");
        raw.ToString().Should().NotContain("planted-principal-secret").And.Contain("enc:v1:");

        await using var restarted = await StartAsync(upstream);
        var session = await McpCalls.ConnectAsync(restarted, "servers/remote/mcp", alice);
        Text(await CallHeaderAsync(session)).Should().Be("token planted-principal-secret-4c1d");
    }

    [Fact]
    public async Task CredentialsApi_UnknownAndNonPerPrincipalServersReadAlike_BadBodiesAreNamed_AnonymousIsUnauthorized()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var alice = new AdminApiClient(gateway, await KeyAsync(gateway, "alice"));

        var plain = await alice.PutAsync($"{CredentialsPath}/plain", new JsonObject { ["credential"] = "x" });
        var unknown = await alice.PutAsync($"{CredentialsPath}/nope", new JsonObject { ["credential"] = "x" });
        var missing = await alice.PutAsync($"{CredentialsPath}/remote", new JsonObject());
        var lineBreak = await alice.PutAsync($"{CredentialsPath}/remote", new JsonObject { ["credential"] = "a\r\nX-Injected: 1" });
        var extra = await alice.PutAsync($"{CredentialsPath}/remote", new JsonObject { ["credential"] = "a", ["principal"] = "apikey:someone-else" });
        var anonymous = await new AdminApiClient(gateway, null).PutAsync($"{CredentialsPath}/remote", new JsonObject { ["credential"] = "x" });

        plain.Status.Should().Be(HttpStatusCode.NotFound);
        unknown.Status.Should().Be(HttpStatusCode.NotFound);
        ((string?)plain.Json["detail"])!.Replace("plain", "<s>", StringComparison.Ordinal).Should().Be(((string?)unknown.Json["detail"])!.Replace("nope", "<s>", StringComparison.Ordinal));
        foreach (var (answer, field) in new[] { (missing, "credential"), (lineBreak, "credential"), (extra, "principal") })
        {
            answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
            ((string?)answer.Json["errors"]?[0]?["field"]).Should().Be(field);
        }

        anonymous.Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WithAuthorization_OnlyServersThePrincipalMayReachTakeItsCredential()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartAsync(upstream, """
            authorization:
              policies:
                - { name: local-only, match: {}, servers: [local] }
            """);
        var alice = new AdminApiClient(gateway, await KeyAsync(gateway, "alice"));

        var granted = await alice.PutAsync($"{CredentialsPath}/local", new JsonObject { ["credential"] = "x" });
        var refused = await alice.PutAsync($"{CredentialsPath}/remote", new JsonObject { ["credential"] = "x" });
        var listed = await alice.GetAsync(CredentialsPath);

        granted.Status.Should().Be(HttpStatusCode.NoContent);
        refused.Status.Should().Be(HttpStatusCode.NotFound, "a server the principal may not use reads like an unknown one");
        listed.Json["servers"]!.AsArray().Select(s => (string?)s).Should().Equal("local");
    }
}
