using McpGateway.Hosting;

namespace McpGateway.Tests.Hosting;

/// <summary><c>--log-format</c> and <c>--log-level</c> on <c>mcp-gateway serve</c>: bad values stop before anything starts.</summary>
public sealed class GatewayCommandLineLoggingTests : IDisposable
{
    private readonly string _config = Path.Combine(Path.GetTempPath(), $"mcpgw-cli-log-{Guid.NewGuid():N}.yaml");

    public GatewayCommandLineLoggingTests() => File.WriteAllText(_config, "mcpServers: {}\n");

    public void Dispose() => File.Delete(_config);

    [Fact]
    public async Task Serve_UnknownLogFormat_Exits2NamingOptionAndAllowedValues()
    {
        var (code, _, errors) = await RunAsync("serve", "--config", _config, "--log-format", "xml");

        code.Should().Be(2);
        errors.Should().Contain("--log-format: `xml` is not a log format; use json or text");
    }

    [Fact]
    public async Task Serve_UnknownLogLevel_Exits2NamingOptionAndAllowedValues()
    {
        var (code, _, errors) = await RunAsync("serve", "--config", _config, "--log-level", "verbose");

        code.Should().Be(2);
        errors.Should().Contain("--log-level: `verbose` is not a log level; use trace, debug, information, warning or error");
    }

    [Fact]
    public async Task Help_Serve_ListsLogOptionsWithTheirValues()
    {
        var (code, output, _) = await RunAsync("serve", "--help");

        code.Should().Be(0);
        output.Should().Contain("--log-format <json|text>").And.Contain("--log-level <trace|debug|information|warning|error>");
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await GatewayCommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
