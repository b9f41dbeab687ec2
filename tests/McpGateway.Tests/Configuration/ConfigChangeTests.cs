using McpGateway.Configuration;

namespace McpGateway.Tests.Configuration;

public sealed class ConfigChangeTests
{
    private static GatewayConfig Load(string yaml)
    {
        var result = GatewayConfigLoader.LoadText(yaml, "test.yaml", _ => null);
        result.Errors.Should().BeEmpty();
        return result.Config!;
    }

    private static string Servers(string alphaExtra = "", string betaExtra = "", string tail = "") => $$"""
        mcpServers:
          alpha:
            command: one
            args: ["a"]
            env: { A: "1" }
        {{alphaExtra}}
          beta:
            url: http://127.0.0.1:9/mcp
            headers: { X-Key: k1 }
        {{betaExtra}}
        virtualServers:
          onlyBeta: { servers: [beta] }
          onlyAlpha: { servers: [alpha] }
        {{tail}}
        """;

    [Fact]
    public void Between_SameContent_IsEmpty()
    {
        var change = ConfigChange.Between(Load(Servers()), Load(Servers()));

        change.IsEmpty.Should().BeTrue(change.Summary);
        change.Summary.Should().Be("no effective change");
    }

    [Fact]
    public void Between_FilterOnlyChange_RefiltersWithoutReconnect()
    {
        var change = ConfigChange.Between(Load(Servers()), Load(Servers(alphaExtra: "    tools: { deny: [\"x\"] }")));

        change.RefilteredServers.Should().Equal("alpha");
        change.ReconnectedServers.Should().BeEmpty();
        change.ChangedViews.Should().BeEquivalentTo(["/mcp", "onlyAlpha"]);
    }

    [Theory]
    [InlineData("args: [\"a\"]", "args: [\"b\"]", "alpha")]
    [InlineData("env: { A: \"1\" }", "env: { A: \"2\" }", "alpha")]
    [InlineData("command: one", "command: two", "alpha")]
    [InlineData("X-Key: k1", "X-Key: k2", "beta")]
    [InlineData("url: http://127.0.0.1:9/mcp", "url: http://127.0.0.1:10/mcp", "beta")]
    public void Between_ConnectionSettingChange_Reconnects(string before, string after, string server)
    {
        var change = ConfigChange.Between(Load(Servers()), Load(Servers().Replace(before, after, StringComparison.Ordinal)));

        change.ReconnectedServers.Should().Equal(server);
        change.RefilteredServers.Should().BeEmpty();
        change.ChangedViews.Should().Contain("/mcp");
    }

    [Fact]
    public void Between_DisabledServer_IsRemovedFromTheViewsThatHadIt()
    {
        var change = ConfigChange.Between(Load(Servers()), Load(Servers(betaExtra: "    enabled: false")));

        change.RemovedServers.Should().Equal("beta");
        change.ChangedViews.Should().BeEquivalentTo(["/mcp", "onlyBeta"]);
    }

    [Fact]
    public void Between_AddedServer_ChangesOnlyViewsThatIncludeIt()
    {
        var change = ConfigChange.Between(Load(Servers()), Load(Servers(betaExtra: "  gamma:\n    command: three")));

        change.AddedServers.Should().Equal("gamma");
        change.ChangedViews.Should().Equal("/mcp");
    }

    [Fact]
    public void Between_GatewayRequestTimeoutChange_ReconnectsServersWithoutTheirOwnTimeout()
    {
        var before = Load(Servers(alphaExtra: "    requestTimeout: 5s"));
        var after = Load("gateway: { requestTimeout: 7s }\n" + Servers(alphaExtra: "    requestTimeout: 5s"));

        ConfigChange.Between(before, after).ReconnectedServers.Should().Equal("beta");
    }

    [Fact]
    public void Between_ViewOverrideChangeAndRemovedView_ChangeThoseViews()
    {
        var before = Load(Servers(tail: "  extra: { servers: [alpha], overrides: { alpha__x: { description: one } } }"));
        var after = Load(Servers(tail: "  extra: { servers: [alpha], overrides: { alpha__x: { description: two } } }").Replace("  onlyBeta: { servers: [beta] }\n", string.Empty, StringComparison.Ordinal));

        ConfigChange.Between(before, after).ChangedViews.Should().BeEquivalentTo(["extra", "onlyBeta"]);
    }

    [Fact]
    public void Between_ListenAndObservabilityChange_NeedRestart()
    {
        var after = Load("gateway: { listen: \"http://127.0.0.1:9000\" }\nobservability: { serviceName: other }\n" + Servers());

        var change = ConfigChange.Between(Load(Servers()), after);

        change.RestartRequired.Should().Equal("gateway.listen", "observability");
        change.Summary.Should().Be("needs restart: gateway.listen, observability");
    }
}
