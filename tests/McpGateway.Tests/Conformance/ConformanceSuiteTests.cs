using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Tests.Interop;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.Conformance;

/// <summary>
/// The MCP conformance suite (<c>@modelcontextprotocol/conformance</c>, every server scenario including the pending
/// ones) against the reference server <c>mcp-conformance-server</c>: once directly, then through the gateway's
/// passthrough endpoint with that server as a Streamable HTTP upstream and as a stdio upstream, and through a
/// single-server virtual server with `naming: none`. Whatever passes
/// directly must pass through every route. Needs <c>npm ci</c> in tests/interop.
/// </summary>
public sealed class ConformanceSuiteTests(ITestOutputHelper output)
{
    /// <summary>A run takes ~3 s directly and over HTTP; over stdio every client session spawns a dotnet child (~0.5 s each).</summary>
    private static readonly TimeSpan SuiteTimeout = TimeSpan.FromSeconds(180);

    private const string HttpRoute = "conf-http";
    private const string StdioRoute = "conf-stdio";
    private const string ViewRoute = "conf-view";

    /// <summary>Gateway event "[server] started process {pid}": one per stdio upstream session.</summary>
    private const int ProcessStartedEvent = 1002;

    [Fact]
    public async Task PassthroughRoutesAndSingleServerView_PassEveryScenarioThatPassesDirectly()
    {
        ConformanceSuiteRun.RequireInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        var leaks = new ProcessLeakCheck();
        var failures = new List<Exception>();
        var scores = new List<ConformanceScore>();
        var clock = Stopwatch.StartNew();
        ConformanceServerProcess? server = null;
        GatewayHarness? gateway = null;
        try
        {
            server = await ConformanceServerProcess.StartHttpAsync(leaks.Environment, cancellationToken);
            gateway = await GatewayHarness.StartAsync(GatewayYaml(server.McpUrl, leaks));
            output.WriteLine($"started the conformance server and the gateway in {clock.Elapsed.TotalSeconds:0.0} s");

            // The stdio route dominates (a dotnet child per client session): run it alongside the two quick runs.
            var stdioRun = ConformanceSuiteRun.RunAsync("via-stdio-upstream", gateway.ServerUrl(StdioRoute), SuiteTimeout, leaks.Environment, cancellationToken);
            var quickRuns = RunInTurnAsync(
                () => ConformanceSuiteRun.RunAsync("direct", server.McpUrl, SuiteTimeout, leaks.Environment, cancellationToken),
                () => ConformanceSuiteRun.RunAsync("via-http-upstream", gateway.ServerUrl(HttpRoute), SuiteTimeout, leaks.Environment, cancellationToken),
                () => ConformanceSuiteRun.RunAsync("via-single-server-view", new Uri(gateway.BaseAddress, $"virtual/{ViewRoute}/mcp"), SuiteTimeout, leaks.Environment, cancellationToken));
            await Task.WhenAll(stdioRun, quickRuns); // waits for both even when one fails: no run outlives the test
            var (direct, viaHttp, viaView) = await quickRuns;
            var viaStdio = await stdioRun;
            scores.AddRange([direct, viaHttp, viaStdio, viaView]);

            Report(scores, StdioSessions(gateway), clock.Elapsed);

            var weaker = viaHttp.WeakerThan(direct).Concat(viaStdio.WeakerThan(direct)).Concat(viaView.WeakerThan(direct)).ToList();
            foreach (var line in weaker)
            {
                output.WriteLine($"passes with fewer checks: {line}");
            }

            direct.Passed.Should().NotBeEmpty($"the reference server must pass the suite directly before the gateway is judged\n{Describe(direct)}");
            var lost = viaHttp.LostAgainst(direct).Concat(viaStdio.LostAgainst(direct)).Concat(viaView.LostAgainst(direct)).ToList();
            if (lost.Count > 0)
            {
                Assert.Fail(
                    $"{lost.Count} scenario(s) pass directly but not through the gateway:\n  {string.Join("\n  ", lost)}\n" +
                    (weaker.Count > 0 ? $"Passing with fewer SUCCESS checks than directly:\n  {string.Join("\n  ", weaker)}\n" : "") +
                    $"{string.Join("\n", scores)}\nResults kept in: {string.Join(", ", scores.Select(s => s.OutputDirectory))}");
            }
        }
        catch (Exception ex)
        {
            failures.Add(ex);
        }

        if (gateway is not null)
        {
            WriteGatewayProblems(gateway);
        }

        await InteropGateway.TearDownAsync(gateway, server, leaks, failures);

        output.WriteLine($"total {clock.Elapsed.TotalSeconds:0.0} s");
        if (failures.Count == 0)
        {
            foreach (var score in scores)
            {
                Directory.Delete(score.OutputDirectory, recursive: true);
            }

            return;
        }

        InteropGateway.ThrowAll(failures);
    }

    /// <summary>The quick runs (direct, HTTP upstream, single-server view), one after the other (each takes ~3 s).</summary>
    private static async Task<(ConformanceScore First, ConformanceScore Second, ConformanceScore Third)> RunInTurnAsync(
        Func<Task<ConformanceScore>> first, Func<Task<ConformanceScore>> second, Func<Task<ConformanceScore>> third)
    {
        var one = await first();
        var two = await second();
        return (one, two, await third());
    }

    /// <summary>Both routes serve the same built server; every process carries the leak marker.</summary>
    private static string GatewayYaml(Uri serverUrl, ProcessLeakCheck leaks) => $"""
        mcpServers:
          {HttpRoute}:
            url: {InteropEnvironment.Yaml(serverUrl.ToString())}
          {StdioRoute}:
            command: dotnet
            args: [{InteropEnvironment.Yaml(ConformanceServerProcess.DllPath)}, "--stdio"]
            env:
              {ProcessLeakCheck.VariableName}: {InteropEnvironment.Yaml(leaks.Marker)}
              DOTNET_TieredPGO: "0"
        virtualServers:
          {ViewRoute}:
            servers: [{HttpRoute}]
            naming: none
        """;

    private static int StdioSessions(GatewayHarness gateway) =>
        gateway.Logs.Lines.Count(l => l.IsGateway && l.EventId == ProcessStartedEvent && l.Message.StartsWith($"[{StdioRoute}]", StringComparison.Ordinal));

    private void Report(IReadOnlyList<ConformanceScore> scores, int stdioSessions, TimeSpan elapsed)
    {
        foreach (var score in scores)
        {
            output.WriteLine(score.ToString());
            foreach (var name in score.Failed)
            {
                output.WriteLine($"  FAIL {name}: {score.FirstErrors.GetValueOrDefault(name)}");
            }
        }

        var stdio = scores[^1];
        if (stdioSessions > 0)
        {
            output.WriteLine($"stdio upstream: {stdioSessions} client sessions, each spawning a dotnet child: {stdio.CliDuration.TotalMilliseconds / stdioSessions:0} ms of suite time per session");
        }

        var json = new JsonObject
        {
            ["scores"] = new JsonArray([.. scores.Select(s => JsonNode.Parse(s.ToJson()))]),
            ["stdioSessions"] = stdioSessions,
            ["elapsedMs"] = (long)elapsed.TotalMilliseconds,
        };
        output.WriteLine($"conformance-scores: {json.ToJsonString()}");
    }

    private static string Describe(ConformanceScore score) =>
        $"{score}\n  {string.Join("\n  ", score.Failed.Select(f => $"FAIL {f}: {score.FirstErrors.GetValueOrDefault(f)}"))}\nResults: {score.OutputDirectory}";

    private void WriteGatewayProblems(GatewayHarness gateway)
    {
        foreach (var line in gateway.Logs.Lines.Where(l => l.IsGateway && l.Level >= LogLevel.Warning))
        {
            output.WriteLine($"gateway {line.Level} {line.Category}[{line.EventId}] {line.Message} {line.Exception?.Message}");
        }
    }
}
