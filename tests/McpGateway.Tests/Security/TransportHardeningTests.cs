using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Security;

/// <summary>
/// The transport rows of the attack matrix on every MCP surface: an evil <c>Origin</c> (DNS rebinding), an oversized
/// body and a deeply nested one. Each gets a precise refusal, and the gateway keeps serving afterwards.
/// </summary>
public sealed class TransportHardeningTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;

    public static TheoryData<string> Surfaces => ["mcp", "servers/demo/mcp", "virtual/team/mcp", "admin/mcp"];

    public async ValueTask InitializeAsync() => _gateway = await GatewayHarness.StartAsync($$"""
        gateway:
          maxRequestBodyBytes: 65536
          allowedOrigins: ["https://allowed.example"]
        virtualServers:
          team: { servers: [demo] }
        mcpServers:
        {{GatewayHarness.DemoServer("demo")}}
        """);

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string body, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await _gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A stateless 2026-07-28 ping: every surface answers it without a session.</summary>
    private static string Ping(string extraParams = "") =>
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}""" + extraParams + "}}";

    private async Task StillServesAsync(string path)
    {
        var (status, body) = await PostAsync(path, Ping());
        status.Should().Be(HttpStatusCode.OK, body);
        body.Should().Contain("\"result\"");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task EvilOrigin_403_AllowedAndLoopbackOriginsPass(string path)
    {
        var evil = await PostAsync(path, Ping(), "https://evil.example");
        var allowed = await PostAsync(path, Ping(), "https://allowed.example");
        var loopback = await PostAsync(path, Ping(), "http://localhost:5173");

        evil.Status.Should().Be(HttpStatusCode.Forbidden);
        evil.Body.Should().Contain("Origin");
        allowed.Status.Should().Be(HttpStatusCode.OK, allowed.Body);
        loopback.Status.Should().Be(HttpStatusCode.OK, loopback.Body);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task OversizedBody_413NamingTheLimit_ThenServesAgain(string path)
    {
        var (status, body) = await PostAsync(path, Ping($",\"padding\":\"{new string('x', 70_000)}\""));

        status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        body.Should().Contain("maxRequestBodyBytes");
        await StillServesAsync(path);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task DeeplyNestedBody_400ParseErrorNamingTheDepth_ThenServesAgain(string path)
    {
        var nested = new string('[', 10_000) + new string(']', 10_000);

        var (status, body) = await PostAsync(path, Ping($",\"deep\":{nested}"));

        status.Should().Be(HttpStatusCode.BadRequest);
        var error = JsonNode.Parse(body)!["error"]!;
        ((int)error["code"]!).Should().Be(-32700);
        ((string)error["message"]!).Should().Contain("depth");
        await StillServesAsync(path);
    }

    [Fact]
    public async Task AdminApi_DeeplyNestedBody_400ProblemNotA500()
    {
        var nested = new string('[', 10_000) + new string(']', 10_000);

        var answer = await new AdminApiClient(_gateway).SendAsync(HttpMethod.Post, "api/v1/servers", $"{{\"name\":\"x\",\"args\":{nested}}}");

        answer.Status.Should().Be(HttpStatusCode.BadRequest, answer.ToString());
        answer.ToString().Should().Contain("depth");
    }
}
