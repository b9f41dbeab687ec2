using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Configuration;

/// <summary>The <c>limits:</c> list as written, its defaults and its mistakes.</summary>
public sealed class GatewayConfigLoaderLimitsTests
{
    private const string Servers = "mcpServers: { a: { command: x } }\n";

    [Fact]
    public void Load_Limits_ReadEveryField_AndDefaultTheBurstToOnePeriod()
    {
        var result = ConfigLoading.Load(Servers + """
            limits:
              - name: per-user
                per: [principal, tool]
                rate: 600/min
                match: { roles: [dev] }
                views: [review]
                servers: ["gh*"]
                tools: ["gh__create_*"]
              - { name: tenant-day, per: tenant, daily: 10000, monthly: 200000, methods: [tools/call] }
              - { name: global, rate: 0.5/s, burst: 4 }
            """);

        result.Errors.Should().BeEmpty();
        var rules = result.Config!.Limits.Rules;
        rules.Select(r => r.Name).Should().Equal("per-user", "tenant-day", "global");
        rules[0].Per.Should().Equal(LimitKeyPart.Principal, LimitKeyPart.Tool);
        rules[0].Rate.Should().Be(new LimitRate(600, TimeSpan.FromMinutes(1)));
        rules[0].Burst.Should().Be(600);
        rules[0].Match.Roles.Should().Equal("dev");
        rules[0].Tools!.Grants("gh__create_issue").Should().BeTrue();
        rules[1].Daily.Should().Be(10000);
        rules[1].Monthly.Should().Be(200000);
        rules[1].Methods.Should().Equal("tools/call");
        rules[2].Per.Should().BeEmpty();
        rules[2].Burst.Should().Be(4);
        rules[2].Rate!.PerSecond.Should().Be(0.5);
    }

    [Theory]
    [InlineData("limits: { a: 1 }", "limits", "must be a list of limits")]
    [InlineData("limits: [ { rate: 1/s } ]", "limits[0]", "`name` is required")]
    [InlineData("limits: [ { name: x } ]", "limits[0]", "limits nothing")]
    [InlineData("limits: [ { name: x, rate: fast } ]", "limits[0].rate", "e.g. 10/s, 600/min")]
    [InlineData("limits: [ { name: x, rate: 10/week } ]", "limits[0].rate", "e.g. 10/s, 600/min")]
    [InlineData("limits: [ { name: x, daily: 10, burst: 5 } ]", "limits[0].burst", "needs a `rate`")]
    [InlineData("limits: [ { name: x, per: user, rate: 1/s } ]", "limits[0].per", "principal, tenant, server, tool or global")]
    [InlineData("limits: [ { name: x, daily: 0 } ]", "limits[0].daily", "greater than zero")]
    [InlineData("limits: [ { name: x, daily: 1 }, { name: x, daily: 2 } ]", "limits[1].name", "names another limit")]
    public void Load_BadLimit_ErrorNamesTheKey(string section, string key, string message)
    {
        var result = ConfigLoading.Load(Servers + section + "\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(key);
        error.Message.Should().Contain(message);
    }
}
