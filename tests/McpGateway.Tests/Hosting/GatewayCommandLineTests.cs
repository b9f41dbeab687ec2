using McpGateway.Hosting;

namespace McpGateway.Tests.Hosting;

/// <summary>The <c>mcp-gateway</c> command line: exit codes and messages a user or a script relies on.</summary>
public sealed class GatewayCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteConfig(string text)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await GatewayCommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Validate_ValidConfig_Exits0AndSaysValid()
    {
        var path = WriteConfig("""
            mcpServers:
              demo: { command: mcp-gateway, args: [demo-server] }
            """);

        var (code, output, _) = await RunAsync("validate", "--config", path);

        code.Should().Be(0);
        output.Should().Contain("valid").And.Contain("1 server");
    }

    [Fact]
    public async Task Validate_InvalidConfig_Exits2NamingKeyAndLine()
    {
        var path = WriteConfig("""
            mcpServers:
              demo:
                args: [x]
            """);

        var (code, _, errors) = await RunAsync("validate", "--config", path);

        code.Should().Be(2);
        errors.Should().Contain("mcpServers.demo").And.Contain("line 2").And.Contain("command");
    }

    [Fact]
    public async Task Validate_UnknownKey_IsAWarningNotAnError()
    {
        var path = WriteConfig("""
            mcpServers:
              demo: { command: mcp-gateway, autoApprove: [echo] }
            """);

        var (code, _, errors) = await RunAsync("validate", "--config", path);

        code.Should().Be(0);
        errors.Should().Contain("warning").And.Contain("autoApprove");
    }

    [Fact]
    public async Task Validate_MissingConfigOption_Exits2()
    {
        var (code, _, errors) = await RunAsync("validate");

        code.Should().Be(2);
        errors.Should().Contain("--config");
    }

    [Fact]
    public async Task Serve_NonLoopbackWithoutConsent_Exits2AndExplains()
    {
        var path = WriteConfig("gateway: { listen: 'http://0.0.0.0:0' }\nmcpServers: {}\n");

        var (code, _, errors) = await RunAsync("serve", "--config", path);

        code.Should().Be(2);
        errors.Should().Contain("allowAnonymous").And.Contain("0.0.0.0");
    }

    [Fact]
    public async Task Serve_NonLoopbackWithAuthConfigured_PassesTheListenCheck()
    {
        // The store cannot be opened, so serve stops right after the listen check instead of running.
        var notADirectory = WriteConfig("mcpServers: {}\n");
        var path = WriteConfig($"gateway: {{ listen: 'http://0.0.0.0:0' }}\nauth: {{ apiKeys: true }}\nstorage: {{ path: '{notADirectory}/registry.db' }}\nmcpServers: {{}}\n");

        var (code, _, errors) = await RunAsync("serve", "--config", path);

        code.Should().Be(1, errors);
        errors.Should().NotContain("refusing").And.Contain("cannot open the registry store");
    }

    [Fact]
    public async Task Serve_NonLoopbackWithAuthNotRequired_IsRefused()
    {
        var path = WriteConfig("gateway: { listen: 'http://0.0.0.0:0' }\nauth: { apiKeys: true, required: false }\nmcpServers: {}\n");

        var (code, _, errors) = await RunAsync("serve", "--config", path);

        code.Should().Be(2);
        errors.Should().Contain("refusing");
    }

    [Fact]
    public async Task Serve_StoreCannotBeOpened_Exits1NamingTheStoreInOneLine()
    {
        var notADirectory = WriteConfig("mcpServers: {}\n");
        var path = WriteConfig($"gateway: {{ listen: 'http://127.0.0.1:0' }}\nstorage: {{ path: '{notADirectory}/registry.db' }}\nmcpServers: {{}}\n");

        var (code, _, errors) = await RunAsync("serve", "--config", path);

        code.Should().Be(1);
        errors.Should().Contain($"cannot open the registry store (sqlite {notADirectory}/registry.db)");
        errors.Should().NotContain("   at ", "an operator needs the reason, not a stack trace");
    }

    [Fact]
    public async Task Serve_StoreWithANewerSchema_Exits1AndSaysToUpgrade()
    {
        await using var database = Storage.RegistryTestDatabase.Create("sqlite");
        await database.OpenInitializedStoreAsync();
        await database.ScalarAsync("""INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ('29990101000000_FromTheFuture', '99.0.0')""");
        var path = WriteConfig($"gateway: {{ listen: 'http://127.0.0.1:0' }}\nstorage: {{ path: '{database.Options.SqlitePath}' }}\nmcpServers: {{}}\n");

        var (code, _, errors) = await RunAsync("serve", "--config", path);

        code.Should().Be(1);
        errors.Should().Contain("29990101000000_FromTheFuture").And.Contain("upgrade mcp-gateway");
    }

    [Fact]
    public async Task Serve_UrlsOptionToNonLoopback_IsRefusedToo()
    {
        var path = WriteConfig("mcpServers: {}\n");

        var (code, _, errors) = await RunAsync("serve", "--config", path, "--urls", "http://[::]:0");

        code.Should().Be(2);
        errors.Should().Contain("refusing");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("serve", "--help")]
    [InlineData("validate", "--help")]
    public async Task Help_OnEveryCommand_Exits0WithUsage(params string[] args)
    {
        var (code, output, _) = await RunAsync(args);

        code.Should().Be(0);
        output.Should().Contain("Usage");
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", null)]
    [InlineData("http://localhost:8080;http://[::1]:9000", null)]
    [InlineData("http://127.0.0.1:8080;http://0.0.0.0:80", "http://0.0.0.0:80")]
    [InlineData("http://*:8080", "http://*:8080")]
    [InlineData("http://mcp.example.com:8080", "http://mcp.example.com:8080")]
    public void FindNonLoopback_FindsTheExposedUrl(string urls, string? expected) =>
        GatewayCommandLine.FindNonLoopback(urls).Should().Be(expected);
}
