using McpGateway.Configuration;
using Microsoft.Extensions.Logging;
using static McpGateway.Tests.TestSupport.ConfigLoading;

namespace McpGateway.Tests.Configuration;

/// <summary><c>gateway.logFormat</c> and <c>gateway.logLevel</c>, and how the environment and the command line override them.</summary>
public sealed class GatewayConfigLoaderLoggingTests
{
    [Fact]
    public void LoadText_NoLogSettings_TextAtInformation()
    {
        var result = Load("mcpServers: { a: { command: npx } }\n");

        result.Config!.Gateway.LogFormat.Should().Be(LogFormat.Text);
        result.Config.Gateway.LogLevel.Should().Be(LogLevel.Information);
    }

    [Theory]
    [InlineData("json", "trace", LogFormat.Json, LogLevel.Trace)]
    [InlineData("JSON", "Debug", LogFormat.Json, LogLevel.Debug)]
    [InlineData("text", "warning", LogFormat.Text, LogLevel.Warning)]
    [InlineData("text", "error", LogFormat.Text, LogLevel.Error)]
    [InlineData("json", "information", LogFormat.Json, LogLevel.Information)]
    public void LoadText_LogSettings_AreRead(string format, string level, LogFormat expectedFormat, LogLevel expectedLevel)
    {
        var result = Load($"gateway:\n  logFormat: {format}\n  logLevel: {level}\nmcpServers: {{ a: {{ command: npx }} }}\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Config!.Gateway.LogFormat.Should().Be(expectedFormat);
        result.Config.Gateway.LogLevel.Should().Be(expectedLevel);
    }

    [Fact]
    public void LoadText_LogFormatFromVariable_IsExpanded()
    {
        var result = Load("gateway: { logFormat: \"${FORMAT}\" }\nmcpServers: {}\n", ("FORMAT", "json"));

        result.Config!.Gateway.LogFormat.Should().Be(LogFormat.Json);
    }

    [Fact]
    public void LoadText_UnknownLogFormat_ErrorNamesKeyLineAndValues()
    {
        var error = SingleError(Load("mcpServers: {}\ngateway:\n  logFormat: xml\n"));

        error.Key.Should().Be("gateway.logFormat");
        error.Line.Should().Be(3);
        error.Message.Should().Contain("`xml`").And.Contain("json or text");
    }

    [Fact]
    public void LoadText_UnknownLogLevel_ErrorNamesKeyLineAndValues()
    {
        var error = SingleError(Load("gateway:\n  logLevel: verbose\nmcpServers: {}\n"));

        error.Key.Should().Be("gateway.logLevel");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("`verbose`").And.Contain("trace, debug, information, warning or error");
    }

    [Fact]
    public void LoadText_LogFormatList_ErrorSaysWhatToWrite()
    {
        var error = SingleError(Load("gateway: { logFormat: [json] }\nmcpServers: {}\n"));

        error.Key.Should().Be("gateway.logFormat");
        error.Message.Should().Contain("json or text").And.Contain("not a list");
    }

    [Fact]
    public void LoadText_LogFormatMisspelledCase_WarnsWithTheRightKey()
    {
        var result = Load("gateway: { logformat: json }\nmcpServers: { a: { command: npx } }\n");

        result.Warnings.Should().ContainSingle().Which.Should().Be(new ConfigDiagnostic("gateway.logformat", 1, "unknown key, ignored; did you mean `logFormat`?"));
        result.Config!.Gateway.LogFormat.Should().Be(LogFormat.Text);
    }

    // ---- file < environment < command line ----

    [Theory]
    [InlineData(null, null, LogFormat.Text)]
    [InlineData("json", null, LogFormat.Json)]
    [InlineData(null, "json", LogFormat.Json)]
    [InlineData("json", "text", LogFormat.Text)]
    [InlineData("text", "json", LogFormat.Json)]
    public void Apply_Format_CommandLineBeatsEnvironmentBeatsFile(string? variable, string? option, LogFormat expected)
    {
        var file = new GatewayOptions { LogFormat = LogFormat.Text };

        var options = LogSettings.Apply(file, option, null, Variables((LogSettings.FormatVariable, variable)), out var error);

        error.Should().BeNull();
        options!.LogFormat.Should().Be(expected);
    }

    [Fact]
    public void Apply_NothingGiven_KeepsTheFilesSettings()
    {
        var file = new GatewayOptions { LogFormat = LogFormat.Json, LogLevel = LogLevel.Debug, PageSize = 7 };

        LogSettings.Apply(file, null, null, _ => null, out _).Should().Be(file);
    }

    [Theory]
    [InlineData(null, null, LogLevel.Error)]
    [InlineData("trace", null, LogLevel.Trace)]
    [InlineData("trace", "warning", LogLevel.Warning)]
    [InlineData(null, "DEBUG", LogLevel.Debug)]
    public void Apply_Level_CommandLineBeatsEnvironmentBeatsFile(string? variable, string? option, LogLevel expected)
    {
        var file = new GatewayOptions { LogLevel = LogLevel.Error };

        var options = LogSettings.Apply(file, null, option, Variables((LogSettings.LevelVariable, variable)), out var error);

        error.Should().BeNull();
        options!.LogLevel.Should().Be(expected);
    }

    [Theory]
    [InlineData("MCP_GATEWAY_LOG_FORMAT", "yaml", "json or text")]
    [InlineData("MCP_GATEWAY_LOG_LEVEL", "loud", "trace, debug, information, warning or error")]
    public void Apply_InvalidVariable_ErrorNamesVariableValueAndAllowedValues(string variable, string value, string allowed)
    {
        var options = LogSettings.Apply(new GatewayOptions(), null, null, Variables((variable, value)), out var error);

        options.Should().BeNull();
        error.Should().StartWith(variable).And.Contain($"`{value}`").And.Contain(allowed);
    }

    private static Func<string, string?> Variables(params (string Name, string? Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
