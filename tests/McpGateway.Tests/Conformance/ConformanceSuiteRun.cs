using McpGateway.Tests.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Tests.Interop;

namespace McpGateway.Tests.Conformance;

/// <summary>
/// One run of <c>tests/conformance/run.sh URL OUTDIR</c> (the <c>@modelcontextprotocol/conformance</c> CLI with the
/// pinned Node 22) over the whole server suite, pending scenarios included, read back from its <c>summary.json</c>.
/// </summary>
internal static class ConformanceSuiteRun
{
    public static string Script => Path.Combine(InteropEnvironment.RepositoryRoot, "tests", "conformance", "run.sh");

    public static string Cli => Path.Combine(InteropEnvironment.NodeModules, "@modelcontextprotocol", "conformance", "dist", "index.js");

    /// <summary>Fails the test (never skips) when <c>npm ci</c> has not been run in tests/interop or the server was not built.</summary>
    public static void RequireInstalled()
    {
        string[] required = [Script, Cli, InteropEnvironment.Node, ConformanceServerProcess.DllPath];
        var missing = required.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            Assert.Fail(
                $"The conformance tests need Node 22 and @modelcontextprotocol/conformance from tests/interop (run `npm ci` in " +
                $"{InteropEnvironment.InteropDirectory}) and the built conformance server (the test project references it, so " +
                $"`dotnet build` / `dotnet test` builds it). Missing: {string.Join(", ", missing)}");
        }
    }

    /// <summary>Runs the suite against <paramref name="url"/>; the CLI's own exit code (0 or 1) is not a verdict, the summary is.</summary>
    public static async Task<ConformanceScore> RunAsync(string label, Uri url, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var outputDirectory = Directory.CreateTempSubdirectory($"mcp-conformance-{label}-").FullName;
        var env = new Dictionary<string, string>(environment)
        {
            ["CONFORMANCE_SUITE"] = "all",
            ["CONFORMANCE_TIMEOUT"] = ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        };
        var clock = Stopwatch.StartNew();
        await using var run = ChildProcess.Start("bash", [Script, url.ToString(), outputDirectory], InteropEnvironment.RepositoryRoot, env);
        var exitCode = await run.WaitForExitAsync(timeout + TimeSpan.FromSeconds(30), cancellationToken);
        clock.Stop();

        var describe = $"{label}: run.sh {url} exited with {exitCode}\nstdout:\n{run.StandardOutput}\nstderr:\n{run.StandardError}";
        var summaryFile = Path.Combine(outputDirectory, "summary.json");
        if (exitCode is not (0 or 1) || !File.Exists(summaryFile))
        {
            throw new InvalidOperationException($"The conformance run did not complete (0/1 = ran; 2 bad arguments, 3 Node or package missing, 124 timeout). Results: {outputDirectory}\n{describe}");
        }

        var summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryFile, cancellationToken)) as JsonObject
            ?? throw new InvalidOperationException($"{summaryFile} is not a JSON object\n{describe}");
        var scenarios = summary["scenarios"] as JsonObject ?? [];
        var firstErrors = scenarios.ToDictionary(
            s => s.Key,
            s => s.Value?["errors"] is JsonArray { Count: > 0 } errors ? (string?)errors[0] ?? "" : "",
            StringComparer.Ordinal);
        var successes = scenarios.ToDictionary(s => s.Key, s => (int?)s.Value?["success"] ?? 0, StringComparer.Ordinal);
        if (firstErrors.Count == 0)
        {
            throw new InvalidOperationException($"No scenario ran. Results: {outputDirectory}\n{describe}");
        }

        return new ConformanceScore(
            label,
            url,
            Names(summary["passed"]),
            Names(summary["failed"]),
            firstErrors,
            successes,
            TimeSpan.FromMilliseconds((long?)summary["durationMs"] ?? 0),
            clock.Elapsed,
            outputDirectory);
    }

    private static List<string> Names(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => (string?)n).OfType<string>()] : [];
}

/// <summary>What one suite run scored. <see cref="OutputDirectory"/> keeps summary.json, the per-scenario checks and the CLI log.</summary>
internal sealed record ConformanceScore(
    string Label,
    Uri Url,
    IReadOnlyList<string> Passed,
    IReadOnlyList<string> Failed,
    IReadOnlyDictionary<string, string> FirstErrors,
    IReadOnlyDictionary<string, int> Successes,
    TimeSpan CliDuration,
    TimeSpan WallTime,
    string OutputDirectory)
{
    public int Total => Passed.Count + Failed.Count;

    public override string ToString() =>
        $"{Label}: {Passed.Count}/{Total} passed (suite {CliDuration.TotalSeconds:0.0} s, wall {WallTime.TotalSeconds:0.0} s) at {Url}";

    /// <summary>Scenarios that passed in <paramref name="reference"/> but not here, each with its first error.</summary>
    public IReadOnlyList<string> LostAgainst(ConformanceScore reference) =>
        [.. reference.Passed.Except(Passed, StringComparer.Ordinal)
            .Select(name => $"{name} ({Label}): {(FirstErrors.TryGetValue(name, out var error) ? error : "did not run")}")];

    /// <summary>
    /// Scenarios that pass both here and in <paramref name="reference"/>, but here with fewer SUCCESS checks: a check the
    /// suite skipped as "not applicable" (INFO) is a quieter loss than a failed scenario.
    /// </summary>
    public IReadOnlyList<string> WeakerThan(ConformanceScore reference) =>
        [.. reference.Passed.Intersect(Passed, StringComparer.Ordinal)
            .Where(name => Successes.GetValueOrDefault(name) < reference.Successes.GetValueOrDefault(name))
            .Select(name => $"{name} ({Label}): {Successes.GetValueOrDefault(name)} of {reference.Successes.GetValueOrDefault(name)} SUCCESS checks")];

    public string ToJson() => JsonSerializer.Serialize(new JsonObject
    {
        ["label"] = Label,
        ["url"] = Url.ToString(),
        ["passed"] = Passed.Count,
        ["total"] = Total,
        ["suiteMs"] = (long)CliDuration.TotalMilliseconds,
        ["failed"] = new JsonArray([.. Failed.Select(f => (JsonNode?)JsonValue.Create(f))]),
    });
}
