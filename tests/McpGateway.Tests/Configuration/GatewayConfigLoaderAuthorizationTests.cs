using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Configuration;

/// <summary><c>authorization:</c> as written, and what is wrong with it, with lines.</summary>
public sealed class GatewayConfigLoaderAuthorizationTests
{
    private const string Servers = "mcpServers: { a: { command: x } }\n";

    [Fact]
    public void Load_FullPolicy_ReadsEveryField()
    {
        var result = ConfigLoading.Load(Servers + """
            authorization:
              policies:
                - name: dev
                  match: { roles: [dev, ops], tenants: [acme], principals: ["apikey:*"] }
                  servers: [a]
                  virtualServers: ["team-*"]
                  tools: { allow: ["a__get_*"], deny: ["*delete*"] }
                  prompts: { deny: ["*"] }
                  resources: { allow: ["file:///docs/*"] }
            virtualServers:
              team-x: { servers: [a], tenant: acme }
            """);

        result.Errors.Should().BeEmpty();
        var options = result.Config!.Authorization;
        options.Enabled.Should().BeTrue();
        var policy = options.Policies.Should().ContainSingle().Subject;
        policy.Name.Should().Be("dev");
        policy.Match.Roles.Should().Equal("dev", "ops");
        policy.Match.Tenants.Should().Equal("acme");
        policy.Match.Principals.Grants("apikey:0123").Should().BeTrue();
        policy.Match.Principals.Grants("jwt:x#y").Should().BeFalse();
        policy.Servers.Grants("a").Should().BeTrue();
        policy.VirtualServers.Grants("team-x").Should().BeTrue();
        policy.VirtualServers.Grants("other").Should().BeFalse();
        policy.Tools.Allows("a__get_x").Should().BeTrue();
        policy.Tools.Denies("a__delete_x").Should().BeTrue();
        result.Config.VirtualServers.Single().Tenant.Should().Be("acme");
    }

    [Fact]
    public void Load_NoSection_AuthorizationOff()
    {
        ConfigLoading.Load(Servers).Config!.Authorization.Enabled.Should().BeFalse();
    }

    [Fact]
    public void Load_EnabledFalse_Off()
    {
        ConfigLoading.Load(Servers + "authorization: { enabled: false, policies: [] }").Config!.Authorization.Enabled.Should().BeFalse();
    }

    [Fact]
    public void Load_NoPolicies_WarnsThatNothingIsGranted()
    {
        var result = ConfigLoading.Load(Servers + "authorization: {}\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Authorization.Enabled.Should().BeTrue();
        result.Warnings.Should().Contain(w => w.Key == "authorization" && w.Message.Contains("nothing is granted", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("authorization: { policies: [ { match: [dev] } ] }", "authorization.policies[0].match", "must be a mapping")]
    [InlineData("authorization: { policies: [ { servers: a } ] }", "authorization.policies[0].servers", "must be a list of strings")]
    [InlineData("authorization: { policies: { dev: {} } }", "authorization.policies", "must be a list of policies")]
    [InlineData("authorization: { policies: [ { servers: [a], tools: [x] } ] }", "authorization.policies[0].tools", "allow")]
    public void Load_BadShape_ErrorNamesThePathWithALine(string section, string path, string message)
    {
        var result = ConfigLoading.Load(Servers + section + "\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(path);
        error.Line.Should().Be(2);
        error.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("authorization: { policies: [ { servers: [a], grants: [a] } ] }", "authorization.policies[0].grants")]
    [InlineData("authorization: { policies: [ { servers: [a], match: { groups: [x] } } ] }", "authorization.policies[0].match.groups")]
    [InlineData("authorization: { policies: [ { servers: [a], Servers: [b] } ] }", "authorization.policies[0].Servers")]
    public void Load_UnknownKey_IgnoredWithAWarning(string section, string path)
    {
        var result = ConfigLoading.Load(Servers + section + "\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Contain(w => w.Key == path && w.Message.StartsWith("unknown key, ignored", StringComparison.Ordinal));
    }
}
