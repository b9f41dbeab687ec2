using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.Interop;

/// <summary>
/// The official TypeScript SDK client (tests/interop/ts-client-everything.mjs) against the reference server
/// <c>@modelcontextprotocol/server-everything</c> behind the gateway's passthrough endpoint: tools, prompts, resources,
/// and the way back (sampling, elicitation, roots, progress). Needs <c>npm ci</c> in tests/interop.
/// </summary>
public sealed class TypeScriptClientInteropTests
{
    [Fact]
    public async Task EverythingOverStdio_StreamableHttpClient_RelaysEveryCapability()
    {
        InteropEnvironment.RequireInstalled();
        var leaks = new ProcessLeakCheck();
        await InteropGateway.RunAsync(StdioConfig(leaks), leaks, upstream: null, async gateway =>
        {
            var report = await TypeScriptClientRun.RunAsync(gateway.ServerUrl("everything"), TypeScriptClientRun.StreamableHttp, leaks, TestContext.Current.CancellationToken);

            TypeScriptClientRun.ShouldHaveRelayedEverything(report, TypeScriptClientRun.StreamableHttp);
        });
    }

    [Fact]
    public async Task EverythingOverStdio_LegacySseClient_RelaysEveryCapability()
    {
        InteropEnvironment.RequireInstalled();
        var leaks = new ProcessLeakCheck();
        await InteropGateway.RunAsync(StdioConfig(leaks), leaks, upstream: null, async gateway =>
        {
            var report = await TypeScriptClientRun.RunAsync(InteropGateway.SseUrl(gateway, "everything"), TypeScriptClientRun.Sse, leaks, TestContext.Current.CancellationToken);

            TypeScriptClientRun.ShouldHaveRelayedEverything(report, TypeScriptClientRun.Sse);
        });
    }

    private static string StdioConfig(ProcessLeakCheck leaks) => $"""
        mcpServers:
          everything:
            command: {InteropEnvironment.Yaml(InteropEnvironment.ServerEverythingBin)}
            args: ["stdio"]
            env:
              {ProcessLeakCheck.VariableName}: {InteropEnvironment.Yaml(leaks.Marker)}
        """;
}

/// <summary>The same client against server-everything served over Streamable HTTP (its own process, on a loopback port).</summary>
public sealed class TypeScriptClientHttpUpstreamInteropTests
{
    [Fact]
    public async Task EverythingOverStreamableHttp_StreamableHttpClient_RelaysEveryCapability()
    {
        InteropEnvironment.RequireInstalled();
        var leaks = new ProcessLeakCheck();
        var upstream = await EverythingHttpServer.StartAsync(leaks.Environment, TestContext.Current.CancellationToken);
        await InteropGateway.RunAsync(HttpConfig(upstream), leaks, upstream, async gateway =>
        {
            var report = await TypeScriptClientRun.RunAsync(gateway.ServerUrl("everything"), TypeScriptClientRun.StreamableHttp, leaks, TestContext.Current.CancellationToken);

            TypeScriptClientRun.ShouldHaveRelayedEverything(report, TypeScriptClientRun.StreamableHttp);
        });
    }

    [Fact]
    public async Task EverythingOverStreamableHttp_LegacySseClient_RelaysEveryCapability()
    {
        InteropEnvironment.RequireInstalled();
        var leaks = new ProcessLeakCheck();
        var upstream = await EverythingHttpServer.StartAsync(leaks.Environment, TestContext.Current.CancellationToken);
        await InteropGateway.RunAsync(HttpConfig(upstream), leaks, upstream, async gateway =>
        {
            var report = await TypeScriptClientRun.RunAsync(InteropGateway.SseUrl(gateway, "everything"), TypeScriptClientRun.Sse, leaks, TestContext.Current.CancellationToken);

            TypeScriptClientRun.ShouldHaveRelayedEverything(report, TypeScriptClientRun.Sse);
        });
    }

    [Theory]
    [InlineData("transport: sse")]
    [InlineData("")]
    public async Task EverythingOverLegacySse_StreamableHttpClient_RelaysEveryCapability(string transportSetting)
    {
        InteropEnvironment.RequireInstalled();
        var leaks = new ProcessLeakCheck();
        var upstream = await EverythingHttpServer.StartAsync(leaks.Environment, TestContext.Current.CancellationToken, legacySse: true);
        await InteropGateway.RunAsync(HttpConfig(upstream, transportSetting), leaks, upstream, async gateway =>
        {
            var report = await TypeScriptClientRun.RunAsync(gateway.ServerUrl("everything"), TypeScriptClientRun.StreamableHttp, leaks, TestContext.Current.CancellationToken);

            TypeScriptClientRun.ShouldHaveRelayedEverything(report, TypeScriptClientRun.StreamableHttp);
        });
    }

    /// <param name="transportSetting">Empty: the gateway detects the transport (Streamable HTTP first, then SSE).</param>
    private static string HttpConfig(EverythingHttpServer upstream, string transportSetting = "") => $"""
        mcpServers:
          everything:
            url: {InteropEnvironment.Yaml(upstream.Url.ToString())}
            {transportSetting}
        """;
}
