using McpGateway.Configuration;

namespace McpGateway.Tests.TestSupport;

/// <summary>Loading config text with a given environment, and the "exactly one error, no config" expectation.</summary>
public static class ConfigLoading
{
    public static ConfigLoadResult Load(string text, params (string Name, string Value)[] environment) =>
        LoadText(text, "test.yaml", environment);

    public static ConfigLoadResult LoadText(string text, string source, params (string Name, string Value)[] environment)
    {
        var variables = environment.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return GatewayConfigLoader.LoadText(text, source, name => variables.GetValueOrDefault(name));
    }

    public static ConfigDiagnostic SingleError(ConfigLoadResult result)
    {
        result.Config.Should().BeNull("a config with errors must not be returned");
        return result.Errors.Should().ContainSingle().Subject;
    }
}
