using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Security;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Audit;

/// <summary>The audit trail end to end: calls through a real gateway, records read back through <c>GET /api/v1/audit</c>.</summary>
public sealed class AuditTrailTests : IDisposable
{
    private const string AdminToken = "0123456789abcdef-admin-token";
    private const string Secret = "planted-audit-secret-4c1d";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-audit-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<GatewayHarness> StartAsync(string extra = "") => GatewayHarness.StartAsync($$"""
        gateway: { adminToken: {{AdminToken}} }
        auth: { apiKeys: true, required: false }
        guardrails: { blockedTools: ["*__add"] }
        storage: { provider: sqlite, path: '{{Path.Combine(_directory, "gateway.db")}}' }
        {{extra}}
        mcpServers:
        {{GatewayHarness.DemoServer("demo")}}
        """);

    private static Task<McpHttpTestClient> ConnectAsync(GatewayHarness gateway, string key, string path = "mcp") => McpCalls.ConnectAsync(gateway, path, key);

    private static Task<LogLine> WrittenAsync(GatewayHarness gateway, long total) =>
        gateway.Logs.WaitForAsync(l => l.EventId == 5203 && Convert.ToInt64(l.Property("Total"), System.Globalization.CultureInfo.InvariantCulture) >= total);

    private static async Task<JsonArray> QueryAsync(GatewayHarness gateway, string query = "")
    {
        var answer = await new AdminApiClient(gateway, AdminToken).GetAsync("api/v1/audit" + query);
        answer.Status.Should().Be(HttpStatusCode.OK, answer.ToString());
        return answer.Json["items"]!.AsArray();
    }

    [Fact]
    public async Task Calls_EachRecordedWithPrincipalViewServerItemOutcomeAndHashedArguments()
    {
        await using var gateway = await StartAsync();
        var (_, key) = await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync("alice", ["dev"], "acme", null, Ct);
        var client = await ConnectAsync(gateway, key);

        await client.CallAsync("tools/call", McpCalls.Call("demo__echo", new JsonObject { ["message"] = Secret }));
        await client.CallAsync("prompts/get", new JsonObject { ["name"] = "demo__greeting", ["arguments"] = new JsonObject { ["name"] = "Bo" } });
        await client.CallAsync("resources/read", new JsonObject { ["uri"] = "demo://readme" });
        var passthrough = await ConnectAsync(gateway, key, "servers/demo/mcp");
        await passthrough.CallAsync("tools/call", McpCalls.Call("add", new JsonObject { ["a"] = 1, ["b"] = 2 }));
        await client.CallAsync("tools/call", McpCalls.Call("demo__nosuch"));
        await WrittenAsync(gateway, 5);
        var items = await QueryAsync(gateway);

        items.Should().HaveCount(5);
        var echo = items.Single(i => (string?)i!["item"] == "demo__echo")!;
        ((string?)echo["kind"]).Should().Be("tools/call");
        ((string?)echo["principalId"]).Should().StartWith("apikey:");
        ((string?)echo["principalName"]).Should().Be("alice");
        ((string?)echo["tenant"]).Should().Be("acme");
        ((string?)echo["view"]).Should().Be("default");
        ((string?)echo["server"]).Should().Be("demo");
        ((string?)echo["outcome"]).Should().Be("ok");
        ((string?)echo["traceId"]).Should().MatchRegex("^[0-9a-f]{32}$");
        ((string?)echo["arguments"]).Should().MatchRegex("^sha256:[0-9a-f]{64}$");
        items.Select(i => ((string?)i!["kind"], (string?)i["item"], (string?)i["outcome"])).Should().BeEquivalentTo(new[]
        {
            ("tools/call", "demo__echo", "ok"),
            ("prompts/get", "demo__greeting", "ok"),
            ("resources/read", "demo://readme", "ok"),
            ("tools/call", "add", "denied"),
            ("tools/call", "demo__nosuch", "error"),
        });
        items.ToJsonString().Should().NotContain(Secret, "arguments are hashed by default");
        File.ReadAllBytes(Path.Combine(_directory, "gateway.db")).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(Secret)).Should().Be(-1, "nor stored in clear");
    }

    [Theory]
    [InlineData("omit", null)]
    [InlineData("redact", "{\"message\":\"write to [REDACTED:email]\"}")]
    public async Task ArgumentsMode_OmitOrRedact(string mode, string? expected)
    {
        await using var gateway = await StartAsync($"audit: {{ arguments: {mode} }}");
        var client = await ConnectAsync(gateway, (await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync("alice", [], null, null, Ct)).Secret);

        await client.CallAsync("tools/call", McpCalls.Call("demo__echo", new JsonObject { ["message"] = "write to bob@example.com" }));
        await WrittenAsync(gateway, 1);

        ((string?)(await QueryAsync(gateway))[0]!["arguments"]).Should().Be(expected);
    }

    [Fact]
    public async Task AdminChanges_RecordedWithTheAdminPrincipal_RefusedOnesAsDenied()
    {
        await using var gateway = await StartAsync();
        var admin = new AdminApiClient(gateway, AdminToken);
        var (_, readOnly) = await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync("viewer", ["admin-readonly"], null, null, Ct);

        (await admin.PostAsync("api/v1/servers", new JsonObject { ["name"] = "extra", ["command"] = "mcp-gateway", ["args"] = new JsonArray("demo-server") })).Status.Should().Be(HttpStatusCode.Created);
        (await new AdminApiClient(gateway, readOnly).DeleteAsync("api/v1/servers/extra")).Status.Should().Be(HttpStatusCode.Forbidden);
        await WrittenAsync(gateway, 2);
        var items = await QueryAsync(gateway, "?kind=admin");

        items.Select(i => ((string?)i!["principalId"], (string?)i["item"], (string?)i["outcome"], (int?)i["code"])).Should().BeEquivalentTo(new[]
        {
            ("admin-token", "POST /api/v1/servers", "ok", (int?)201),
            ("apikey:" + readOnly.Split('_')[1], "DELETE /api/v1/servers/extra", "denied", (int?)403),
        });
    }

    [Fact]
    public async Task Records_QueuedAtStop_AreWrittenAndSurviveARestart()
    {
        string id;
        await using (var gateway = await StartAsync())
        {
            var (record, key) = await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync("alice", [], null, null, Ct);
            id = record.Id;
            var client = await ConnectAsync(gateway, key);
            await client.CallAsync("tools/call", McpCalls.Call("demo__echo", new JsonObject { ["message"] = "before stop" }));

            // No wait for the writer: stopping must write what is queued.
        }

        await using var restarted = await StartAsync();
        var items = await QueryAsync(restarted, $"?principal=apikey:{id}");

        items.Should().ContainSingle().Which!["item"]!.GetValue<string>().Should().Be("demo__echo");
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?kind=delete", "kind")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?from=yesterday", "from")]
    public async Task Query_BadFilter_400NamingTheField(string query, string field)
    {
        await using var gateway = await StartAsync();

        var answer = await new AdminApiClient(gateway, AdminToken).GetAsync("api/v1/audit" + query);

        answer.Status.Should().Be(HttpStatusCode.BadRequest);
        answer.Json["errors"]![0]!["field"]!.GetValue<string>().Should().Be(field);
    }
}
