using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Interop;

/// <summary>
/// The official TypeScript SDK client (tests/interop/admin-mcp-client.mjs, Streamable HTTP with the admin token)
/// manages the gateway through its management MCP server at <c>/admin/mcp</c>. Needs <c>npm ci</c> in tests/interop.
/// </summary>
public sealed class TypeScriptClientAdminMcpInteropTests
{
    private const string Token = "interop-admin-token";
    private const string Registered = "interop-demo";

    /// <summary>The script stops itself after 40 s; the test kills it (and its children) after 50 s.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task AdminMcp_TypeScriptClientWithToken_RegistersListsTogglesAndRemovesAServer()
    {
        InteropEnvironment.RequireInstalled();
        var leaks = new ProcessLeakCheck();
        var yaml = $"""
            gateway: {"{"} adminToken: {Token} {"}"}
            mcpServers:
              filed:
                command: mcp-gateway
                args: ["demo-server"]
                env: {"{"} {ProcessLeakCheck.VariableName}: {InteropEnvironment.Yaml(leaks.Marker)} {"}"}
            """;

        await InteropGateway.RunAsync(yaml, leaks, upstream: null, async gateway =>
        {
            var report = await TypeScriptClientRun.RunScriptAsync(
                Path.Combine(InteropEnvironment.InteropDirectory, "admin-mcp-client.mjs"),
                [
                    "--url", new Uri(gateway.BaseAddress, "admin/mcp").ToString(), "--token", Token, "--name", Registered,
                    "--command", "mcp-gateway", "--arg", "demo-server", "--env", $"{ProcessLeakCheck.VariableName}={leaks.Marker}",
                    "--timeout-ms", "40000",
                ],
                ScriptTimeout,
                leaks,
                TestContext.Current.CancellationToken);

            if ((string?)report.Json["error"] is { } error)
            {
                Assert.Fail($"The TypeScript client could not complete its run: {error}\n{report.Output}");
            }

            ((string?)report.Json["serverInfo"]?["name"]).Should().Be("mcp-gateway-admin", report.Output);
            ((string?)report.Json["protocolVersion"]).Should().Be("2025-11-25", report.Output);
            report.Json["sessionId"].Should().BeNull("the management server is stateless");

            var tools = TypeScriptClientRun.Ok(report, "toolsList");
            TypeScriptClientRun.Strings(tools["names"]).Should().BeEquivalentTo(
                ["list_services", "register_service", "remove_service", "toggle_service", "get_server_details", "get_service_tools", "refresh_service", "healthcheck"]);
            TypeScriptClientRun.Strings(tools["registerSchema"]?["required"]).Should().Equal("name");
            ((bool?)tools["removeAnnotations"]?["destructiveHint"]).Should().BeTrue();

            var register = Succeeded(report, "register");
            ((string?)register["structuredContent"]?["name"]).Should().Be(Registered);
            ((string?)register["structuredContent"]?["origin"]).Should().Be("registry");
            TypeScriptClientRun.Strings(Succeeded(report, "listServices")["names"]).Should().Equal(Registered);
            TypeScriptClientRun.Strings(Succeeded(report, "serviceTools")["names"]).Should().Contain(["echo", "add"]);
            ((bool?)Succeeded(report, "toggleOff")["structuredContent"]?["enabled"]).Should().BeFalse();
            ((bool?)Succeeded(report, "toggleOn")["structuredContent"]?["enabled"]).Should().BeTrue();
            ((string?)Succeeded(report, "remove")["structuredContent"]?["removed"]).Should().Be(Registered);
            TypeScriptClientRun.Strings(Succeeded(report, "listAfterRemove")["names"]).Should().Equal("filed");
            ((int?)TypeScriptClientRun.Ok(report, "schemaMismatch")["code"]).Should().Be(-32602);
            ((bool?)TypeScriptClientRun.Ok(report, "withoutToken")["refused"]).Should().BeTrue();
            ((string?)report.Check("withoutToken")["message"]).Should().Contain("401");

            ((bool?)report.Json["ok"]).Should().BeTrue(report.Output);
            report.ExitCode.Should().Be(0, report.Output);
        });
    }

    /// <summary>The check passed and the tool result is not an error.</summary>
    private static JsonObject Succeeded(TypeScriptClientRun.Report report, string name)
    {
        var check = TypeScriptClientRun.Ok(report, name);
        ((bool?)check["isError"]).Should().BeFalse($"{name}: {check.ToJsonString()}\n{report.Output}");
        return check;
    }
}
