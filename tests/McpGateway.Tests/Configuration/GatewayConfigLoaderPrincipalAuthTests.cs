using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Configuration;

/// <summary><c>auth: { type: perPrincipal }</c> on remote and stdio servers, its defaults and its mistakes.</summary>
public sealed class GatewayConfigLoaderPrincipalAuthTests
{
    [Fact]
    public void Load_PerPrincipal_RemoteDefaultsToBearerAuthorization_StdioUsesItsVariable()
    {
        var result = ConfigLoading.Load("""
            mcpServers:
              github: { url: "https://api.example.com/mcp", auth: { type: perPrincipal } }
              jira: { url: "https://jira.example.com/mcp", auth: { type: perPrincipal, header: X-Token, format: "token {credential}" } }
              local: { command: gh-mcp, auth: { type: perPrincipal, env: GITHUB_TOKEN } }
            """);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var servers = result.Config!.Servers.ToDictionary(s => s.Name);
        servers["github"].PrincipalAuth.Should().Be(new PrincipalCredentialAuth { Header = "Authorization", Format = "Bearer {credential}" });
        servers["github"].Auth.Should().BeNull();
        servers["jira"].PrincipalAuth.Should().Be(new PrincipalCredentialAuth { Header = "X-Token", Format = "token {credential}" });
        servers["local"].PrincipalAuth.Should().Be(new PrincipalCredentialAuth { Env = "GITHUB_TOKEN", Format = "{credential}" });
        servers["jira"].PrincipalAuth!.Render("abc").Should().Be("token abc");
    }

    [Theory]
    [InlineData("{ url: \"https://x.example/mcp\", auth: { type: perPrincipal, env: TOKEN } }", "mcpServers.s.auth.env", "write `header: Authorization`")]
    [InlineData("{ command: x, auth: { type: perPrincipal, header: X-Token } }", "mcpServers.s.auth.header", "write `env: VARIABLE`")]
    [InlineData("{ command: x, auth: { type: perPrincipal } }", "mcpServers.s.auth", "`env` is required for a stdio server")]
    [InlineData("{ url: \"https://x.example/mcp\", auth: { type: perPrincipal, format: \"Bearer\" } }", "mcpServers.s.auth.format", "must contain `{credential}`")]
    [InlineData("{ url: \"https://x.example/mcp\", auth: { type: perPrincipal, header: \"Bad Header\" } }", "mcpServers.s.auth.header", "not a valid HTTP header name")]
    [InlineData("{ url: \"https://x.example/mcp\", auth: { type: apiKey } }", "mcpServers.s.auth.type", "`clientCredentials` or `perPrincipal`")]
    public void Load_BadPerPrincipalAuth_ErrorNamesTheKey(string server, string key, string message)
    {
        var result = ConfigLoading.Load($"mcpServers:\n  s: {server}\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(key);
        error.Message.Should().Contain(message);
    }
}
