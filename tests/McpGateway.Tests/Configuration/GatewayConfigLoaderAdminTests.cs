using McpGateway.Configuration;
using static McpGateway.Tests.TestSupport.ConfigLoading;

namespace McpGateway.Tests.Configuration;

/// <summary>The settings the admin surfaces read: tags, the admin token, the definitions kept for export.</summary>
public sealed class GatewayConfigLoaderAdminTests
{
    [Fact]
    public void LoadText_Tags_AreTrimmedAndDeduplicatedInOrder()
    {
        var result = Load("""
            mcpServers:
              github: { url: "https://api.example.com/mcp", tags: [code, " search ", code] }
            """);

        result.Config!.Servers[0].Tags.Should().Equal("code", "search");
    }

    [Fact]
    public void LoadText_EmptyTag_IsAnErrorNamingTheItem()
    {
        var error = SingleError(Load("""
            mcpServers:
              github: { url: "https://api.example.com/mcp", tags: [code, ""] }
            """));

        error.Key.Should().Be("mcpServers.github.tags[1]");
    }

    [Fact]
    public void LoadText_AdminTokenFromEnvironment_IsExpandedAndTheMessageOfAShortOneDoesNotEchoIt()
    {
        Load("gateway: { adminToken: \"${ADMIN}\" }\nmcpServers: {}\n", ("ADMIN", "0123456789abcdef0123")).Config!.Gateway.AdminToken
            .Should().Be("0123456789abcdef0123");

        var error = SingleError(Load("gateway: { adminToken: \"${ADMIN}\" }\nmcpServers: {}\n", ("ADMIN", "hunter2")));
        error.Key.Should().Be("gateway.adminToken");
        error.ToString().Should().NotContain("hunter2");
    }

    [Fact]
    public void LoadText_Definitions_KeepWhatWasWrittenUnexpanded()
    {
        var config = Load("""
            gateway: { listen: "http://127.0.0.1:9000" }
            mcpServers:
              remote:
                url: https://mcp.example.com/mcp
                headers: { Authorization: "Bearer ${TOKEN}" }
                enabled: false
                requestTimeout: 10s
            virtualServers:
              review: { servers: [remote] }
            """, ("TOKEN", "secret")).Config!;

        var definition = config.Servers[0].Definition!;
        definition["headers"]!["Authorization"]!.GetValue<string>().Should().Be("Bearer ${TOKEN}");
        definition["enabled"]!.GetValue<bool>().Should().BeFalse("plain YAML booleans become JSON booleans");
        definition["requestTimeout"]!.GetValue<string>().Should().Be("10s");
        config.VirtualServers[0].Definition!["servers"]!.AsArray().Select(node => node!.GetValue<string>()).Should().Equal("remote");
        config.Settings!["gateway"]!["listen"]!.GetValue<string>().Should().Be("http://127.0.0.1:9000");
        config.Settings.ContainsKey("mcpServers").Should().BeFalse();
    }
}
