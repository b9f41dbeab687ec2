using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Configuration;

/// <summary>The <c>guardrails:</c> section, a server's <c>validateArguments</c> and a view's <c>redact</c>.</summary>
public sealed class GatewayConfigLoaderGuardrailsTests
{
    private const string Server = "mcpServers:\n  a: { command: x }\n";

    [Fact]
    public void Load_NoGuardrailsSection_ValidatesArgumentsAndBlocksAndRedactsNothing()
    {
        var config = ConfigLoading.Load(Server).Config!;

        config.Gateway.Guardrails.ValidateArguments.Should().BeTrue();
        config.Gateway.Guardrails.IsBlocked("a", "delete_all", "__").Should().BeFalse();
        config.Gateway.Guardrails.Redact.Should().BeNull();
        config.Servers[0].ValidateArguments.Should().BeNull();
    }

    [Fact]
    public void Load_FullSection_ReadsEveryKey()
    {
        var config = ConfigLoading.Load("""
            guardrails:
              validateArguments: false
              blockedTools: ["*__delete_*", "shell__*"]
              redact:
                detectors: [email, apiKey]
                patterns: [{ name: ticket, regex: "TCK-[0-9]+" }]
                replacement: "<{name}>"
            mcpServers:
              a: { command: x, validateArguments: true }
            virtualServers:
              quiet: { redact: false }
              own: { redact: { detectors: [creditCard] } }
            """).Config!;

        var guardrails = config.Gateway.Guardrails;
        guardrails.ValidateArguments.Should().BeFalse();
        guardrails.IsBlocked("github", "delete_repo", "__").Should().BeTrue();
        guardrails.IsBlocked("shell", "run", "__").Should().BeTrue();
        guardrails.IsBlocked("github", "get_repo", "__").Should().BeFalse();
        guardrails.Redact!.Detectors.Should().Equal("email", "apiKey");
        guardrails.Redact.Patterns.Should().ContainSingle().Which.Regex.IsMatch("TCK-7").Should().BeTrue();
        guardrails.Redact.Replacement.Should().Be("<{name}>");
        config.Servers[0].ValidateArguments.Should().BeTrue();
        config.FindVirtualServer("quiet")!.Redact!.Detectors.Should().BeEmpty();
        config.FindVirtualServer("quiet")!.Redact!.Patterns.Should().BeEmpty();
        config.FindVirtualServer("own")!.Redact!.Detectors.Should().Equal("creditCard");
    }

    [Fact]
    public void Load_InvalidRegex_NamesTheKeyAndTheRegexError()
    {
        var error = ConfigLoading.SingleError(ConfigLoading.Load("guardrails:\n  redact: { patterns: [{ name: bad, regex: \"([a-z\" }] }\n" + Server));

        error.Key.Should().Be("guardrails.redact.patterns[0].regex");
        error.Message.Should().StartWith("is not a valid regular expression (").And.Contain("fix the pattern");
    }

    [Fact]
    public void Load_UnknownDetector_ListsTheKnownOnes()
    {
        var error = ConfigLoading.SingleError(ConfigLoading.Load("guardrails:\n  redact: { detectors: [phone] }\n" + Server));

        error.Key.Should().Be("guardrails.redact.detectors[0]");
        error.Message.Should().Contain("email, creditCard, apiKey");
    }

    [Fact]
    public void Load_GlobalRedactFalse_IsRefusedWithTheShape()
    {
        var error = ConfigLoading.SingleError(ConfigLoading.Load("guardrails:\n  redact: false\n" + Server));

        error.Key.Should().Be("guardrails.redact");
        error.Message.Should().StartWith("must be a mapping");
    }

    [Fact]
    public void Load_UnknownGuardrailKey_IsReportedWithItsPath()
    {
        var result = ConfigLoading.Load("guardrails:\n  blockTools: [x]\n" + Server);

        result.Errors.Concat(result.Warnings).Should().ContainSingle(d => d.Key == "guardrails.blockTools");
    }
}
