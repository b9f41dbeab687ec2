using McpGateway.Tests.TestSupport;
using System.Text.Json.Nodes;

namespace McpGateway.Tests.Interop;

/// <summary>
/// Runs <c>tests/interop/ts-client-everything.mjs</c> (the official TypeScript SDK client) against one gateway URL and
/// checks what it reports about server-everything behind the gateway; runs the other interop scripts the same way.
/// </summary>
internal static class TypeScriptClientRun
{
    /// <summary>The script stops itself after 50 s; the test kills it (and its children) after 60 s.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    public const string StreamableHttp = "streamableHttp";
    public const string Sse = "sse";

    /// <summary>The script's JSON report, with its output attached to every failure message.</summary>
    public sealed record Report(JsonObject Json, int ExitCode, string Output)
    {
        public JsonObject Check(string name) =>
            Json["checks"]?[name] as JsonObject ?? throw new InvalidOperationException($"check '{name}' missing from the report\n{Output}");
    }

    public static Task<Report> RunAsync(Uri url, string transport, ProcessLeakCheck leaks, CancellationToken cancellationToken) =>
        RunScriptAsync(
            InteropEnvironment.TypeScriptClientScript,
            ["--url", url.ToString(), "--transport", transport, "--timeout-ms", "50000"],
            ScriptTimeout,
            leaks,
            cancellationToken);

    /// <summary>
    /// Runs one interop script of tests/interop (with the pinned Node, tagged for the leak check) and parses the JSON
    /// report it prints as its last line; the script and its children are killed when it outlives <paramref name="timeout"/>.
    /// </summary>
    public static async Task<Report> RunScriptAsync(string script, IEnumerable<string> arguments, TimeSpan timeout, ProcessLeakCheck leaks, CancellationToken cancellationToken)
    {
        await using var node = ChildProcess.Start(
            InteropEnvironment.Node,
            [script, .. arguments],
            InteropEnvironment.InteropDirectory,
            leaks.Environment);
        var exitCode = await node.WaitForExitAsync(timeout, cancellationToken);
        var output = $"node exit code {exitCode}\nstdout:\n{node.StandardOutput}\nstderr:\n{node.StandardError}";
        var lastLine = node.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        JsonObject json;
        try
        {
            json = lastLine is null ? throw new InvalidOperationException("no output") : JsonNode.Parse(lastLine) as JsonObject ?? throw new InvalidOperationException("not an object");
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"the interop script printed no JSON report ({ex.Message})\n{output}", ex);
        }

        return new Report(json, exitCode, output);
    }

    /// <summary>Every capability the script exercises, asserted one by one (a failure names the check and shows its data).</summary>
    public static void ShouldHaveRelayedEverything(Report report, string transport)
    {
        var json = report.Json;
        var streamableHttp = transport == StreamableHttp;
        if ((string?)json["error"] is { } error)
        {
            Assert.Fail($"The TypeScript client could not complete its run: {error}\n{report.Output}");
        }

        ((string?)json["serverInfo"]?["name"]).Should().Be("mcp-servers/everything", report.Output);
        if (streamableHttp)
        {
            ((string?)json["protocolVersion"]).Should().Be("2025-11-25", report.Output);
        }

        Ok(report, "ping");

        var tools = Ok(report, "toolsList");
        Strings(tools["names"]).Should().Contain(
            ["echo", "get-sum", "trigger-long-running-operation", "trigger-sampling-request", "trigger-elicitation-request", "get-roots-list"],
            "the conditional tools appear only when the client's sampling/elicitation/roots capabilities reached the upstream");
        ((string?)tools["echoInputSchema"]?["properties"]?["message"]?["type"]).Should().Be("string");
        ((bool?)tools["echoAnnotations"]?["readOnlyHint"]).Should().BeTrue("annotations pass through untouched");

        ((string?)Ok(report, "echo")["text"]).Should().Be("Echo: hello through the gateway ✓");
        ((string?)Ok(report, "getSum")["text"]).Should().Be("The sum of 19 and 23 is 42.");
        Ok(report, "unknownTool");

        Strings(Ok(report, "promptsList")["names"]).Should().Contain(["simple-prompt", "args-prompt"]);
        ((string?)Ok(report, "simplePrompt")["text"]).Should().Be("This is a simple prompt without arguments.");
        ((string?)Ok(report, "argsPrompt")["text"]).Should().Be("What's weather in Lisbon, Portugal?");

        var resources = Ok(report, "resourcesList");
        Strings(resources["uris"]).Should().Contain("demo://resource/static/document/instructions.md");
        Strings(resources["templateUris"]).Should().Contain("demo://resource/dynamic/text/{resourceId}");
        var read = Ok(report, "resourceRead");
        ((string?)read["uri"]).Should().Be("demo://resource/dynamic/text/7");
        ((string?)read["text"]).Should().StartWith("Resource 7: This is a plaintext resource");
        ((string?)Ok(report, "staticResourceRead")["mimeType"]).Should().Be("text/markdown");

        var sampling = Ok(report, "sampling");
        ((int?)sampling["samplingRequests"]).Should().Be(1, "the upstream's sampling/createMessage reaches the client exactly once");
        ((string?)sampling["requestText"]).Should().Be("Resource trigger-sampling-request context: what is the answer?");
        ((int?)sampling["requestMaxTokens"]).Should().Be(17);
        ((string?)sampling["toolText"]).Should().Contain("interop canned sampling answer 4711", "the client's answer goes back upstream and into the tool result")
            .And.Contain("interop-canned-model");

        var progress = Ok(report, "progress");
        Strings(progress["wireOrder"]).Should().Equal(["progress:1/3", "progress:2/3", "progress:3/3", "result"],
            "the gateway relays every progress notification, in order, before the result");
        var values = Numbers(progress["values"]).ToList();
        if (streamableHttp)
        {
            values.Should().Equal([1d, 2d, 3d], "the Streamable HTTP client hands every notification to onprogress");
        }
        else
        {
            // The SDK's SSE client may drop the last one (see the script): at least one, increasing, within 1..3.
            values.Should().NotBeEmpty().And.BeInAscendingOrder().And.OnlyHaveUniqueItems().And.OnlyContain(v => v >= 1 && v <= 3);
        }

        progress["notifications"]!.AsArray().Select(n => (double?)n?["total"]).Should().AllBeEquivalentTo(3d);
        ((string?)progress["toolText"]).Should().StartWith("Long running operation completed.");

        var elicitation = Ok(report, "elicitation");
        ((int?)elicitation["elicitationRequests"]).Should().Be(1);
        ((string?)elicitation["toolText"]).Should().Contain("- Name: Interop Tester").And.Contain("- Agreed to terms: true");

        ((string?)Ok(report, "roots")["toolText"]).Should().Contain("file:///tmp/mcp-gateway-interop-root", "roots/list goes to the client and its answer back upstream");

        Ok(report, "loggingSetLevel");
        Ok(report, "close");

        ((bool?)json["ok"]).Should().BeTrue(report.Output);
        report.ExitCode.Should().Be(0, report.Output);
    }

    internal static JsonObject Ok(Report report, string name)
    {
        var check = report.Check(name);
        ((bool?)check["ok"]).Should().BeTrue($"check '{name}' reported {check.ToJsonString()}\n{report.Output}");
        return check;
    }

    internal static IEnumerable<string> Strings(JsonNode? array) => array?.AsArray().Select(n => (string)n!) ?? [];

    internal static IEnumerable<double> Numbers(JsonNode? array) => array?.AsArray().Select(n => (double)n!) ?? [];
}
