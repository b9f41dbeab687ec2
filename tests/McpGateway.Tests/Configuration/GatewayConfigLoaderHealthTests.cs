using McpGateway.Configuration;
using static McpGateway.Tests.TestSupport.ConfigLoading;

namespace McpGateway.Tests.Configuration;

/// <summary><c>gateway.health</c> (defaults) and <c>mcpServers.x.health</c> (overrides, or false).</summary>
public sealed class GatewayConfigLoaderHealthTests
{
    [Fact]
    public void LoadText_NoHealthSettings_DefaultsAndServerInherits()
    {
        var result = Load("mcpServers: { a: { command: npx } }\n");

        result.Config!.Gateway.Health.Should().Be(new HealthCheckOptions
        {
            Enabled = true,
            Interval = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromSeconds(5),
            UnhealthyAfter = 3,
            DegradedLatency = TimeSpan.FromSeconds(1),
        });
        result.Config.Servers[0].Health.Should().BeNull();
    }

    [Fact]
    public void LoadText_ServerHealthOverride_MergesOverGatewayDefaultsWrittenAfterIt()
    {
        var result = Load("""
            mcpServers:
              a:
                command: npx
                health: { timeout: 2s }
              b:
                command: npx
                health: false
            gateway:
              health: { interval: 10s, unhealthyAfter: 5, degradedLatency: 500ms }
            """);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var defaults = result.Config!.Gateway.Health;
        defaults.Should().Be(HealthCheckOptions.Default with { Interval = TimeSpan.FromSeconds(10), UnhealthyAfter = 5, DegradedLatency = TimeSpan.FromMilliseconds(500) });
        result.Config.Servers[0].Health.Should().Be(defaults with { Timeout = TimeSpan.FromSeconds(2) });
        result.Config.Servers[1].Health!.Enabled.Should().BeFalse();
    }

    [Fact]
    public void LoadText_GatewayHealthFalse_TurnsChecksOffByDefault()
    {
        var result = Load("gateway: { health: false }\nmcpServers: { a: { command: npx } }\n");

        result.Config!.Gateway.Health.Enabled.Should().BeFalse();
    }

    [Theory]
    [InlineData("unhealthyAfter: 0", "mcpServers.a.health.unhealthyAfter", "from 1 to 100")]
    [InlineData("unhealthyAfter: lots", "mcpServers.a.health.unhealthyAfter", "from 1 to 100")]
    [InlineData("interval: soon", "mcpServers.a.health.interval", "not a duration")]
    [InlineData("timeout: 0s", "mcpServers.a.health.timeout", "longer than zero")]
    public void LoadText_InvalidHealthValue_ErrorNamesKeyAndFix(string setting, string key, string fix)
    {
        var result = Load($"mcpServers:\n  a:\n    command: npx\n    health: {{ {setting} }}\n");

        result.Config.Should().BeNull();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(key);
        error.Line.Should().Be(4);
        error.Message.Should().Contain(fix);
    }

    [Fact]
    public void LoadText_HealthAsList_ErrorShowsTheShape()
    {
        var result = Load("gateway:\n  health: [30s]\nmcpServers: {}\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be("gateway.health");
        error.Message.Should().Contain("interval: 30s").And.Contain("or false");
    }

    [Fact]
    public void LoadText_UnknownHealthKeyOrSlowThresholdAboveTimeout_Warns()
    {
        var result = Load("mcpServers:\n  a:\n    command: npx\n    health: { Interval: 5s, degradedLatency: 10s }\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Select(w => w.Key).Should().BeEquivalentTo(["mcpServers.a.health.Interval", "mcpServers.a.health"]);
        result.Warnings.Should().Contain(w => w.Message.Contains("did you mean `interval`?"))
            .And.Contain(w => w.Message.Contains("make degradedLatency the smaller one"));
    }
}
