using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FluentAssertions;
using McpGateway.Security;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Security;

/// <summary>The attack matrix of the data plane and admin API with <c>auth: { apiKeys: true }</c>: one row per test.</summary>
public sealed class AuthenticationTests
{
    private const string AdminToken = "0123456789abcdef-admin-token";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayHarness> StartAsync() =>
        GatewayHarness.StartAsync($"gateway: {{ adminToken: {AdminToken} }}\nauth: {{ apiKeys: true }}\nmcpServers:\n" + GatewayHarness.DemoServer("demo"));

    private static async Task<string> CreateKeyAsync(GatewayHarness gateway, string name = "tester", string[]? roles = null, DateTimeOffset? expiresAt = null)
    {
        var (_, secret) = await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync(name, roles ?? [], null, expiresAt, Ct);
        return secret;
    }

    private static McpHttpTestClient Client(GatewayHarness gateway, Action<HttpRequestHeaders>? credential)
    {
        var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        credential?.Invoke(http.DefaultRequestHeaders);
        return new McpHttpTestClient(http, new Uri(gateway.BaseAddress, "mcp"));
    }

    private static Action<HttpRequestHeaders> Bearer(string key) => headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

    private static JsonObject Initialize(McpHttpTestClient client) => client.Request("initialize", new JsonObject
    {
        ["protocolVersion"] = "2025-11-25",
        ["capabilities"] = new JsonObject(),
        ["clientInfo"] = new JsonObject { ["name"] = "auth-tests", ["version"] = "1.0" },
    });

    [Fact]
    public async Task DataPlane_NoCredential_Returns401WithBearerChallenge()
    {
        await using var gateway = await StartAsync();
        var client = Client(gateway, null);

        var answer = await client.PostAsync(Initialize(client));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
        answer.Headers.WwwAuthenticate.Single().Scheme.Should().Be("Bearer");
        (await gateway.Logs.WaitForEventAsync(5000)).Message.Should().Contain("missing_credential");
    }

    [Fact]
    public async Task DataPlane_WrongKey_Returns401InvalidTokenAndNeverLogsTheKey()
    {
        await using var gateway = await StartAsync();
        var wrong = "mgw_0123456789abcdef_" + new string('a', 64);
        var client = Client(gateway, Bearer(wrong));

        var answer = await client.PostAsync(Initialize(client));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
        answer.Headers.WwwAuthenticate.Single().Parameter.Should().Contain("error=\"invalid_token\"");
        (await gateway.Logs.WaitForEventAsync(5000)).Message.Should().Contain("unknown_key");
        gateway.Logs.Lines.Should().NotContain(l => l.Message.Contains(new string('a', 64), StringComparison.Ordinal));
    }

    [Fact]
    public async Task DataPlane_RightSecretForAnotherId_Returns401()
    {
        await using var gateway = await StartAsync();
        var key = await CreateKeyAsync(gateway);
        var forged = "mgw_0000000000000000_" + key[^64..];
        var client = Client(gateway, Bearer(forged));

        var answer = await client.PostAsync(Initialize(client));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DataPlane_ValidKey_InitializesAndCallsTools()
    {
        await using var gateway = await StartAsync();
        var client = Client(gateway, Bearer(await CreateKeyAsync(gateway)));

        await client.InitializeAsync();
        var tools = await client.CallAsync("tools/list");

        tools["result"]!["tools"]!.AsArray().Should().NotBeEmpty();
    }

    [Fact]
    public async Task DataPlane_RevokedKey_Returns401AtOnceOnThisReplica()
    {
        await using var gateway = await StartAsync();
        var key = await CreateKeyAsync(gateway);
        var client = Client(gateway, Bearer(key));
        await client.InitializeAsync();
        var keys = gateway.Services.GetRequiredService<ApiKeyService>();

        (await keys.RevokeAsync(key[4..20], Ct)).Should().BeTrue();
        var answer = await client.PostAsync(client.Request("tools/list"));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
        (await gateway.Logs.WaitForEventAsync(5000)).Message.Should().Contain("revoked_key");
    }

    [Fact]
    public async Task DataPlane_ExpiredKey_Returns401()
    {
        await using var gateway = await StartAsync();
        var client = Client(gateway, Bearer(await CreateKeyAsync(gateway, expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1))));

        var answer = await client.PostAsync(Initialize(client));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
        (await gateway.Logs.WaitForEventAsync(5000)).Message.Should().Contain("expired_key");
    }

    [Fact]
    public async Task DataPlane_KeyInXApiKeyHeader_IsAccepted()
    {
        await using var gateway = await StartAsync();
        var key = await CreateKeyAsync(gateway);
        var client = Client(gateway, headers => headers.Add("X-API-Key", key));

        await client.InitializeAsync();

        client.SessionId.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Session_PresentedByAnotherPrincipal_Returns404AndIsLogged()
    {
        await using var gateway = await StartAsync();
        var alice = Client(gateway, Bearer(await CreateKeyAsync(gateway, "alice")));
        var bob = Client(gateway, Bearer(await CreateKeyAsync(gateway, "bob")));
        await alice.InitializeAsync();
        bob.SessionId = alice.SessionId;

        var hijack = await bob.PostAsync(bob.Request("tools/list"));
        var own = await alice.PostAsync(alice.Request("tools/list"));

        hijack.Status.Should().Be(HttpStatusCode.NotFound);
        own.Status.Should().Be(HttpStatusCode.OK, "the owner's session is untouched");
        (await gateway.Logs.WaitForEventAsync(5020)).Message.Should().Contain(alice.SessionId!);
    }

    [Fact]
    public async Task AdminApi_AdminRoleKey_CreatesListsAndRevokesKeys()
    {
        await using var gateway = await StartAsync();
        var admin = new AdminApiClient(gateway, await CreateKeyAsync(gateway, "ops", ["admin"]));

        var created = await admin.PostAsync("api/v1/api-keys", new JsonObject { ["name"] = "ci", ["roles"] = new JsonArray("admin-readonly"), ["tenant"] = "acme", ["expiresIn"] = "30d" });
        var id = (string)created.Json["apiKey"]!["id"]!;
        var key = (string)created.Json["key"]!;
        var list = await admin.GetAsync("api/v1/api-keys");
        var revoked = await admin.DeleteAsync($"api/v1/api-keys/{id}");
        var missing = await admin.DeleteAsync("api/v1/api-keys/ffffffffffffffff");

        created.Status.Should().Be(HttpStatusCode.Created, created.ToString());
        key.Should().StartWith($"mgw_{id}_");
        ((string?)created.Json["apiKey"]!["expiresAt"]).Should().NotBeNull();
        list.Status.Should().Be(HttpStatusCode.OK);
        list.Body!.ToJsonString().Should().Contain("\"ci\"").And.NotContain(key[^64..]).And.NotContain("hash", "neither secrets nor hashes are listed");
        revoked.Status.Should().Be(HttpStatusCode.NoContent);
        missing.Status.Should().Be(HttpStatusCode.NotFound);
        (await new AdminApiClient(gateway, key).GetAsync("api/v1/servers")).Status.Should().Be(HttpStatusCode.Unauthorized, "the revoked key no longer works");
    }

    [Fact]
    public async Task AdminApi_ReadOnlyKey_ReadsButCannotPost()
    {
        await using var gateway = await StartAsync();
        var reader = new AdminApiClient(gateway, await CreateKeyAsync(gateway, "viewer", ["admin-readonly"]));

        var read = await reader.GetAsync("api/v1/servers");
        var write = await reader.PostAsync("api/v1/api-keys", new JsonObject { ["name"] = "escalate", ["roles"] = new JsonArray("admin") });

        read.Status.Should().Be(HttpStatusCode.OK);
        write.Status.Should().Be(HttpStatusCode.Forbidden, write.ToString());
    }

    [Fact]
    public async Task AdminApi_KeyWithoutAdminRole_Gets403()
    {
        await using var gateway = await StartAsync();
        var plain = new AdminApiClient(gateway, await CreateKeyAsync(gateway, "agent"));

        var answer = await plain.GetAsync("api/v1/servers");

        answer.Status.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AdminApi_AuthConfiguredWithoutToken_LoopbackAnonymousGets401()
    {
        await using var gateway = await GatewayHarness.StartAsync("auth: { apiKeys: true }\nmcpServers:\n" + GatewayHarness.DemoServer("demo"));

        var answer = await new AdminApiClient(gateway).GetAsync("api/v1/servers");

        answer.Status.Should().Be(HttpStatusCode.Unauthorized, "with authentication configured, loopback alone is no credential");
    }

    [Fact]
    public async Task AdminApi_InvalidKeyRequest_NamesTheFields()
    {
        await using var gateway = await StartAsync();
        var admin = new AdminApiClient(gateway, AdminToken);

        var answer = await admin.PostAsync("api/v1/api-keys", new JsonObject { ["roles"] = "admin", ["expiresIn"] = "soon" });

        answer.Status.Should().Be(HttpStatusCode.BadRequest);
        answer.Fields.Should().Contain(["name", "roles", "expiresIn"]);
    }

    [Fact]
    public async Task DataPlane_WithoutAuthConfigured_StaysOpenOnLoopback()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var client = Client(gateway, null);

        await client.InitializeAsync();

        client.SessionId.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task HttpUpstream_ClientAuthorizationAndCookies_AreNotForwarded()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"""
            auth: {"{"} apiKeys: true {"}"}
            mcpServers:
              remote:
                url: {upstream.Endpoint}
                transport: streamable-http
                health: false
            """);
        var key = await CreateKeyAsync(gateway);
        var client = Client(gateway, headers =>
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            headers.Add("Cookie", "session=client-cookie");
        });

        await client.InitializeAsync();
        await client.CallAsync("tools/list");

        upstream.Requests.Should().NotBeEmpty();
        upstream.Requests.Should().OnlyContain(h => !h.ContainsKey("Authorization") && !h.ContainsKey("Cookie") && !h.ContainsKey("X-API-Key"));
    }
}
