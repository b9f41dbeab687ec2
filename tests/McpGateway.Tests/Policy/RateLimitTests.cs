using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Security;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Policy;

/// <summary>
/// <c>limits:</c> through a real gateway: per-principal buckets, per-tool globs in views, combined limits, and what a
/// refused client sees (HTTP 429, <c>Retry-After</c>, <c>RateLimit-*</c>, JSON-RPC -32029 with <c>retryAfterMs</c>).
/// Rates are slow enough (per hour) that nothing refills while a test runs.
/// </summary>
public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayHarness> StartAsync(string limits) => GatewayHarness.StartAsync(
        "auth: { apiKeys: true }\nlimits:\n" + limits + "\nmcpServers:\n" + GatewayHarness.DemoServer("alpha") + GatewayHarness.DemoServer("beta"));

    private static async Task<string> KeyAsync(GatewayHarness gateway, string name, string? tenant = null) =>
        (await gateway.Services.GetRequiredService<ApiKeyService>().CreateAsync(name, [], tenant, null, Ct)).Secret;

    private static JsonObject Echo(string tool = "echo") => new() { ["name"] = tool, ["arguments"] = new JsonObject { ["message"] = "hi" } };

    private static JsonObject Add() => new() { ["name"] = "alpha__add", ["arguments"] = new JsonObject { ["a"] = 1, ["b"] = 2 } };

    private static Task<HttpExchange> CallAsync(McpHttpTestClient client, JsonObject call) => client.PostAsync(client.Request("tools/call", call));

    private static string Header(HttpExchange exchange, string name) => exchange.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "<absent>";

    [Fact]
    public async Task PerPrincipalBucket_RefusesTheCallBeyondTheBurst_With429RetryAfterAndJsonRpcDetails_OthersUnaffected()
    {
        await using var gateway = await StartAsync("  - { name: per-user, per: principal, rate: 1/h, burst: 2 }");
        var alice = await McpCalls.ConnectAsync(gateway, "servers/alpha/mcp", await KeyAsync(gateway, "alice"));
        var bob = await McpCalls.ConnectAsync(gateway, "servers/alpha/mcp", await KeyAsync(gateway, "bob"));

        var first = await CallAsync(alice, Echo());
        var second = await CallAsync(alice, Echo());
        var refused = await CallAsync(alice, Echo());
        var bobs = await CallAsync(bob, Echo());

        first.Status.Should().Be(HttpStatusCode.OK);
        (Header(first, "RateLimit-Limit"), Header(first, "RateLimit-Remaining")).Should().Be(("2", "1"));
        Header(second, "RateLimit-Remaining").Should().Be("0");
        refused.Status.Should().Be(HttpStatusCode.TooManyRequests);
        int.Parse(Header(refused, "Retry-After"), System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(3599, 3600);
        var error = refused.Last["error"]!;
        ((int?)error["code"]).Should().Be(-32029);
        ((string?)error["message"]).Should().Contain("'per-user'").And.Contain("per principal");
        ((string?)error["data"]!["limit"]).Should().Be("per-user");
        ((long?)error["data"]!["retryAfterMs"]).Should().BeInRange(3_599_000, 3_600_000);
        ((string?)bobs.Last["result"]?["content"]?[0]?["text"]).Should().Be("hi", "bob has his own bucket");
    }

    [Fact]
    public async Task ToolGlobInAView_LimitsOnlyThatToolOfThatServer_ByItsCanonicalName()
    {
        await using var gateway = await StartAsync("  - { name: echo-slowly, tools: [alpha__echo], rate: 1/h, burst: 1 }");
        var client = await McpCalls.ConnectAsync(gateway, "mcp", await KeyAsync(gateway, "alice"));

        var first = await CallAsync(client, Echo("alpha__echo"));
        var second = await CallAsync(client, Echo("alpha__echo"));
        var otherServer = await CallAsync(client, Echo("beta__echo"));
        var otherTool = await CallAsync(client, Add());

        first.Last["result"].Should().NotBeNull(first.Body);
        ((int?)second.Last["error"]?["code"]).Should().Be(-32029, second.Body);
        otherServer.Last["result"].Should().NotBeNull(otherServer.Body);
        otherTool.Last["result"].Should().NotBeNull(otherTool.Body);
    }

    [Fact]
    public async Task TenantQuotaAndPrincipalRate_ACallPassesOnlyIfBothAllow_AndARefusalSpendsNeither()
    {
        await using var gateway = await StartAsync("""
              - { name: tenant-day, per: tenant, daily: 3 }
              - { name: per-user, per: principal, rate: 1/h, burst: 2 }
            """);
        var alice = await McpCalls.ConnectAsync(gateway, "servers/alpha/mcp", await KeyAsync(gateway, "alice", "acme"));
        var bob = await McpCalls.ConnectAsync(gateway, "servers/alpha/mcp", await KeyAsync(gateway, "bob", "acme"));
        var carol = await McpCalls.ConnectAsync(gateway, "servers/alpha/mcp", await KeyAsync(gateway, "carol", "globex"));

        var alices = new[] { await CallAsync(alice, Echo()), await CallAsync(alice, Echo()), await CallAsync(alice, Echo()) };
        var bobFirst = await CallAsync(bob, Echo());
        var bobSecond = await CallAsync(bob, Echo());
        var carols = await CallAsync(carol, Echo());

        alices[..2].Should().AllSatisfy(a => a.Status.Should().Be(HttpStatusCode.OK));
        ((string?)alices[2].Last["error"]?["data"]?["limit"]).Should().Be("per-user");
        bobFirst.Status.Should().Be(HttpStatusCode.OK, "alice's refused call did not use the tenant's third request");
        ((string?)bobSecond.Last["error"]?["data"]?["limit"]).Should().Be("tenant-day");
        ((string?)bobSecond.Last["error"]?["data"]?["kind"]).Should().Be("daily quota");
        carols.Status.Should().Be(HttpStatusCode.OK, "another tenant has its own quota");
    }

    [Fact]
    public async Task ServerSelector_CountsEveryRequestToThatServer_NotOthers_AndNeverInitialize()
    {
        await using var gateway = await StartAsync("  - { name: beta-cap, servers: [beta], rate: 1/h, burst: 2 }");
        var key = await KeyAsync(gateway, "alice");
        var beta = await McpCalls.ConnectAsync(gateway, "servers/beta/mcp", key);
        var alpha = await McpCalls.ConnectAsync(gateway, "servers/alpha/mcp", key);

        var list = await beta.PostAsync(beta.Request("tools/list", new JsonObject()));
        var call = await CallAsync(beta, Echo());
        var refused = await beta.PostAsync(beta.Request("tools/list", new JsonObject()));
        var ping = await beta.PostAsync(beta.Request("ping", new JsonObject()));
        var alphaCall = await CallAsync(alpha, Echo());

        list.Status.Should().Be(HttpStatusCode.OK, "initialize did not count");
        call.Status.Should().Be(HttpStatusCode.OK);
        refused.Status.Should().Be(HttpStatusCode.TooManyRequests);
        ping.Status.Should().Be(HttpStatusCode.OK, "ping never counts");
        alphaCall.Status.Should().Be(HttpStatusCode.OK);
    }
}
