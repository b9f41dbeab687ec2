using System.Net;
using FluentAssertions;
using McpGateway.Admin;
using McpGateway.Configuration;
using McpGateway.Security;
using McpGateway.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Admin;

/// <summary>Who may use the admin API: the token holder, or loopback clients when no token is set.</summary>
public sealed class AdminApiAccessTests
{
    private const string Token = "0123456789abcdef-admin-token";
    private const string Protection = "McpGateway.Admin";

    [Theory]
    [InlineData("api/v1/servers")]
    [InlineData("api/v1/openapi.json")]
    [InlineData("deploy")]
    public async Task WithToken_NoOrWrongToken_Returns401WithWwwAuthenticate(string path)
    {
        await using var gateway = await GatewayHarness.StartAsync($"gateway: {{ adminToken: {Token} }}\nmcpServers:\n" + GatewayHarness.DemoServer("filed"));
        var method = path == "deploy" ? HttpMethod.Post : HttpMethod.Get;
        var body = path == "deploy" ? """{"mcpServers":{}}""" : null;

        var none = await new AdminApiClient(gateway).SendAsync(method, path, body);
        var wrong = await new AdminApiClient(gateway, "wrong-token-of-some-length").SendAsync(method, path, body);

        foreach (var answer in new[] { none, wrong })
        {
            answer.Status.Should().Be(HttpStatusCode.Unauthorized, answer.ToString());
            answer.MediaType.Should().Be("application/problem+json");
            answer.Headers.WwwAuthenticate.Single().Scheme.Should().Be("Bearer");
        }

        gateway.Logs.CountEvents(4101).Should().Be(2);
        gateway.Logs.Lines.Should().NotContain(l => l.Message.Contains("wrong-token", StringComparison.Ordinal), "a presented token is never logged");
    }

    [Fact]
    public async Task WithToken_RightToken_Returns200()
    {
        await using var gateway = await GatewayHarness.StartAsync($"gateway: {{ adminToken: {Token} }}\nmcpServers:\n" + GatewayHarness.DemoServer("filed"));

        var answer = await new AdminApiClient(gateway, Token).GetAsync("api/v1/servers");

        answer.Status.Should().Be(HttpStatusCode.OK, answer.ToString());
        gateway.Logs.Lines.Should().Contain(l => l.EventId == 4100 && l.Message.Contains("requires a bearer token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutToken_LoopbackClient_IsServedAndStartUpSaysSo()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        var answer = await new AdminApiClient(gateway).GetAsync("api/v1/servers");

        answer.Status.Should().Be(HttpStatusCode.OK);
        gateway.Logs.Lines.Where(l => l.EventId == 4100).Should().ContainSingle()
            .Which.Message.Should().Contain("loopback clients only");
        gateway.Logs.Lines.Single(l => l.EventId == 4100).Category.Should().Be(Protection);
    }

    [Fact]
    public async Task WithoutToken_NonLoopbackClient_IsRefusedLoopbackOnly()
    {
        // Kestrel here only listens on loopback, so the remote address is set on a real HttpContext instead.
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var access = gateway.Services.GetRequiredService<AdminAccess>();
        var remote = new DefaultHttpContext();
        remote.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.10");
        var local = new DefaultHttpContext();
        local.Connection.RemoteIpAddress = IPAddress.IPv6Loopback;

        access.Check(remote).Should().Be(AdminAccessVerdict.LoopbackOnly);
        access.Check(local).Should().Be(AdminAccessVerdict.Allowed);
        AdminAccess.Explain(AdminAccessVerdict.LoopbackOnly).Should().Contain("MCP_GATEWAY_ADMIN_TOKEN");
    }

    [Fact]
    public void AdminAccess_WithToken_ChecksTheBearerEvenFromLoopback()
    {
        var config = new GatewayConfigProvider(new GatewayConfig { Gateway = new GatewayOptions { AdminToken = Token } });
        var access = new AdminAccess(config);
        DefaultHttpContext Request(string? authorization)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
            if (authorization is not null)
            {
                context.Request.Headers.Authorization = authorization;
            }

            return context;
        }

        var right = Request("Bearer " + Token);

        access.Check(Request(null)).Should().Be(AdminAccessVerdict.Unauthorized);
        access.Check(right).Should().Be(AdminAccessVerdict.Allowed);
        right.Features.Get<IGatewayPrincipalFeature>()!.Principal.Should().Be(AdminAccess.AdminTokenPrincipal, "the request runs as the admin token's principal");
        access.Check(Request("Bearer " + Token + "x")).Should().Be(AdminAccessVerdict.Unauthorized);
    }
}
