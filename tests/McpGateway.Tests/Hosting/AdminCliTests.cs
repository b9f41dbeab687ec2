using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using McpGateway.Hosting;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Hosting;

/// <summary><c>mcp-gateway servers ...</c> and <c>import</c> against a real gateway's admin API, invoked in-process.</summary>
public sealed class AdminCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-admincli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await GatewayCommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static Task<(int Code, string Out, string Err)> RunAgainstAsync(GatewayHarness gateway, params string[] args) =>
        RunAsync([.. args, "--gateway", gateway.BaseAddress.ToString()]);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task ServersAdd_StdioServer_ListShowsItInTheTable()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        var added = await RunAgainstAsync(gateway, "servers", "add", "extra", "--command", "mcp-gateway", "--arg", "demo-server",
            "--env", "MCP_DEMO_TEST_TOOLS=1", "--description", "added by the CLI", "--tag", "cli", "--tag", "demo");
        var listed = await RunAgainstAsync(gateway, "servers", "list");

        added.Code.Should().Be(0, added.Err);
        added.Out.Should().Contain("added extra");
        listed.Code.Should().Be(0, listed.Err);
        var lines = listed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().MatchRegex(@"^NAME\s+ORIGIN\s+ENABLED\s+TRANSPORT\s+TARGET\s+HEALTH\s+TAGS$");
        lines.Should().Contain(l => l.StartsWith("demo ", StringComparison.Ordinal) && l.Contains("file", StringComparison.Ordinal));
        lines.Single(l => l.StartsWith("extra ", StringComparison.Ordinal)).Should()
            .MatchRegex(@"^extra\s+registry\s+yes\s+\S+\s+mcp-gateway demo-server\s+\S+\s+cli,demo$");
    }

    [Fact]
    public async Task ServersList_FilterAndJson_PrintsOnlyMatchingServersAsApiJson()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("alpha", "tags: [blue]") + GatewayHarness.DemoServer("beta", "tags: [green]"));

        var (code, output, error) = await RunAgainstAsync(gateway, "servers", "list", "--tag", "green", "--json");

        code.Should().Be(0, error);
        var servers = JsonNode.Parse(output)!["servers"]!.AsArray();
        servers.Select(s => (string?)s!["name"]).Should().Equal("beta");
    }

    [Fact]
    public async Task ServersDisableEnableRemove_RegisteredServer_ChangesItsState()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        (await RunAgainstAsync(gateway, "servers", "add", "extra", "--command", "mcp-gateway", "--arg", "demo-server")).Code.Should().Be(0);

        var disabled = await RunAgainstAsync(gateway, "servers", "disable", "extra");
        var afterDisable = await RunAgainstAsync(gateway, "servers", "list", "--status", "disabled");
        var enabled = await RunAgainstAsync(gateway, "servers", "enable", "extra");
        var afterEnable = await RunAgainstAsync(gateway, "servers", "list", "--status", "disabled");
        var removed = await RunAgainstAsync(gateway, "servers", "remove", "extra");
        var afterRemove = await RunAgainstAsync(gateway, "servers", "list");

        disabled.Should().Match<(int Code, string Out, string Err)>(r => r.Code == 0 && r.Out.Contains("extra: disabled"));
        afterDisable.Out.Should().MatchRegex(@"(?m)^extra\s+registry\s+no\s");
        enabled.Should().Match<(int Code, string Out, string Err)>(r => r.Code == 0 && r.Out.Contains("extra: enabled"));
        afterEnable.Out.Should().NotContain("extra");
        removed.Should().Match<(int Code, string Out, string Err)>(r => r.Code == 0 && r.Out.Contains("removed extra"));
        afterRemove.Out.Should().NotContain("extra").And.Contain("demo");
    }

    [Fact]
    public async Task ServersAdd_InvalidUrl_PrintsTheFieldAndExits1()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        var (code, _, error) = await RunAgainstAsync(gateway, "servers", "add", "broken", "--url", "not a url");

        code.Should().Be(GatewayCommandLine.Failure);
        error.Should().StartWith("error: ").And.MatchRegex(@"(?m)^  url: ");
    }

    [Fact]
    public async Task ServersRemove_FileServer_ExitsOneSayingItIsReadOnly()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();

        var (code, _, error) = await RunAgainstAsync(gateway, "servers", "remove", "demo");

        code.Should().Be(GatewayCommandLine.Failure);
        error.Should().Contain("demo");
    }

    [Fact]
    public async Task ServersList_WrongToken_ExitsOneAndHintsAtTheToken()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync("adminToken: right-token-0123456789");

        var refused = await RunAgainstAsync(gateway, "servers", "list", "--token", "wrong-token");
        var accepted = await RunAgainstAsync(gateway, "servers", "list", "--token", "right-token-0123456789");

        refused.Code.Should().Be(GatewayCommandLine.Failure);
        refused.Err.Should().Contain("--token");
        accepted.Code.Should().Be(0, accepted.Err);
    }

    [Fact]
    public async Task Import_ClaudeDesktopConfig_CreatesThenReportsUnchanged()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync();
        var file = WriteFile("claude_desktop_config.json", """
            {
              // Claude Desktop does not allow comments, but Cursor and VS Code do
              "mcpServers": {
                "one": { "command": "mcp-gateway", "args": ["demo-server"] },
                "two": { "command": "mcp-gateway", "args": ["demo-server"], "env": { "MCP_DEMO_TEST_TOOLS": "1" } },
              }
            }
            """);

        var first = await RunAgainstAsync(gateway, "import", file);
        var second = await RunAgainstAsync(gateway, "import", file);

        first.Code.Should().Be(0, first.Err);
        first.Out.Should().Contain("servers created: 2 (one, two)");
        second.Code.Should().Be(0, second.Err);
        second.Out.Should().Contain("servers created: 0").And.Contain("servers unchanged: 2 (one, two)");
    }

    [Fact]
    public async Task Import_VsCodeInputReference_ExitsOneNamingTheFieldWithoutCallingTheGateway()
    {
        var file = WriteFile("mcp.json", """
            {
              "inputs": [{ "type": "promptString", "id": "gh-token", "password": true }],
              "servers": {
                "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer ${input:gh-token}" } }
              }
            }
            """);

        // No gateway at all: the file is refused before any call, so this cannot be exit code 3.
        var (code, _, error) = await RunAsync("import", file, "--gateway", $"http://127.0.0.1:{ClosedPort()}");

        code.Should().Be(GatewayCommandLine.Failure);
        error.Should().Contain("${input:gh-token}").And.Contain("mcpServers.github.headers.Authorization");
    }

    [Fact]
    public void ReadImportDocument_VsCodeJsonc_BecomesAnMcpServersDeployBody()
    {
        var file = WriteFile("vscode.json", """
            {
              /* VS Code workspace config */
              "servers": {
                "fs": { "type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "//not-a-comment"] }, // trailing
              },
              "inputs": []
            }
            """);

        var document = AdminCli.ReadImportDocument(new FileInfo(file), out var problem);

        problem.Should().BeNull();
        document!.ToJsonString().Should().Be("""{"mcpServers":{"fs":{"type":"stdio","command":"npx","args":["-y","@modelcontextprotocol/server-filesystem","//not-a-comment"]}}}""");
    }

    [Fact]
    public void ReadImportDocument_NoServerMap_ExplainsWhatItLooksFor()
    {
        var file = WriteFile("other.json", """{ "editor.fontSize": 12 }""");

        AdminCli.ReadImportDocument(new FileInfo(file), out var problem).Should().BeNull();

        problem.Should().Contain("mcpServers").And.Contain("servers");
    }

    [Fact]
    public async Task ServersList_UnreachableGateway_Exits3NamingTheUrl()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";

        var (code, _, error) = await RunAsync("servers", "list", "--gateway", url);

        code.Should().Be(AdminCli.Unreachable);
        error.Should().Contain($"cannot reach the gateway at {url}/");
    }

    [Theory]
    [InlineData("servers", "add", "x")]
    [InlineData("servers", "add", "x", "--command", "a", "--url", "http://example.test/mcp")]
    [InlineData("servers", "add", "x", "--command", "a", "--env", "NOEQUALS")]
    [InlineData("servers", "add", "x", "--url", "http://example.test/mcp", "--arg", "a")]
    [InlineData("servers", "list", "--status", "sleepy")]
    [InlineData("servers", "remove")]
    public async Task Servers_UsageError_Exits2WithoutCallingTheGateway(params string[] args)
    {
        var (code, _, error) = await RunAsync([.. args, "--gateway", $"http://127.0.0.1:{ClosedPort()}"]);

        code.Should().Be(GatewayCommandLine.BadInput);
        error.Should().StartWith("error: ");
    }

    /// <summary>A loopback port nothing listens on (bound, then released), so a connection is refused at once.</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
