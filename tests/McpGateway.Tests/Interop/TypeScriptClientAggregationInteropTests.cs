using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Interop;

/// <summary>
/// The official TypeScript SDK client (tests/interop/ts-client-aggregate.mjs, Streamable HTTP) against the default
/// virtual server <c>/mcp</c> in front of three real npm servers at once, all over stdio: server-everything,
/// server-memory (its graph in a temp file) and server-filesystem (serving a temp folder). Each member's own tool list,
/// read through its passthrough endpoint in the same run, is the reference for the aggregated one.
/// Needs <c>npm ci</c> in tests/interop.
/// </summary>
public sealed partial class TypeScriptClientAggregationInteropTests
{
    /// <summary>The script stops itself after 75 s; the test kills it (and its children) after 90 s.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    // Deliberately not the package names: the prefixes come from the configured server names.
    private const string Everything = "everything";
    private const string Memory = "memory";
    private const string Files = "files";

    private const string FileName = "notes.txt";
    private const string FileContent = "first line of the interop notes\nsecond line: aggregated ✓\n";

    private const int UpstreamCancelSent = 1011;
    private const int UpstreamUnmatchedResponse = 1006;

    [Fact]
    public async Task EverythingMemoryFilesystemOverStdio_StreamableHttpClientOnDefaultView_AggregatesRoutesAndRelays()
    {
        InteropEnvironment.RequireInstalled();
        var leaks = new ProcessLeakCheck();
        var temp = Directory.CreateTempSubdirectory("mcp-gateway-aggregate-");
        try
        {
            var served = Directory.CreateDirectory(Path.Combine(temp.FullName, "served"));
            await File.WriteAllTextAsync(Path.Combine(served.FullName, FileName), FileContent, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(served.FullName, "data.json"), "{\"answer\": 42}\n", TestContext.Current.CancellationToken);
            var memoryFile = Path.Combine(temp.FullName, "memory.jsonl");

            await InteropGateway.RunAsync(Config(leaks, served.FullName, memoryFile), leaks, upstream: null, async gateway =>
            {
                var report = await TypeScriptClientRun.RunScriptAsync(
                    InteropEnvironment.AggregateClientScript,
                    [
                        "--base-url", gateway.BaseAddress.ToString(),
                        "--everything", Everything, "--memory", Memory, "--filesystem", Files,
                        "--fs-dir", served.FullName, "--fs-file", FileName,
                        "--timeout-ms", "75000",
                    ],
                    ScriptTimeout,
                    leaks,
                    TestContext.Current.CancellationToken);

                ShouldHaveAggregatedTheMembers(report);
                ShouldHaveRoutedCallsToEachMember(report, served.FullName);
                ShouldHaveRelayedServerToClientTraffic(report);

                // server-memory wrote its graph where MEMORY_FILE_PATH said (and so nowhere in the repository).
                (await File.ReadAllTextAsync(memoryFile, TestContext.Current.CancellationToken))
                    .Should().Contain((string)report.Json["entity"]!, "memory__create_entities reached server-memory with its env");

                await ShouldHaveStoppedTheCancelledCallUpstream(report, gateway);

                ((bool?)report.Json["ok"]).Should().BeTrue(report.Output);
                report.ExitCode.Should().Be(0, report.Output);
            });
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static string Config(ProcessLeakCheck leaks, string servedFolder, string memoryFile) => $"""
        mcpServers:
          {Everything}:
            command: {InteropEnvironment.Yaml(InteropEnvironment.ServerEverythingBin)}
            args: ["stdio"]
            env:
              {ProcessLeakCheck.VariableName}: {InteropEnvironment.Yaml(leaks.Marker)}
          {Memory}:
            command: {InteropEnvironment.Yaml(InteropEnvironment.ServerMemoryBin)}
            env:
              {ProcessLeakCheck.VariableName}: {InteropEnvironment.Yaml(leaks.Marker)}
              MEMORY_FILE_PATH: {InteropEnvironment.Yaml(memoryFile)}
          {Files}:
            command: {InteropEnvironment.Yaml(InteropEnvironment.ServerFilesystemBin)}
            args: [{InteropEnvironment.Yaml(servedFolder)}]
            env:
              {ProcessLeakCheck.VariableName}: {InteropEnvironment.Yaml(leaks.Marker)}
        """;

    private static void ShouldHaveAggregatedTheMembers(TypeScriptClientRun.Report report)
    {
        var json = report.Json;
        if ((string?)json["error"] is { } error)
        {
            Assert.Fail($"The TypeScript client could not complete its run: {error}\n{report.Output}");
        }

        TypeScriptClientRun.Ok(report, "members");
        var members = new Dictionary<string, (string Server, string[] Names)>
        {
            ["everything"] = (Everything, Member(report, "everything")),
            ["memory"] = (Memory, Member(report, "memory")),
            ["filesystem"] = (Files, Member(report, "filesystem")),
        };
        members["everything"].Names.Should().Contain(
            ["echo", "trigger-long-running-operation", "trigger-sampling-request", "trigger-elicitation-request", "get-roots-list"],
            "the conditional tools appear only when the client's sampling/elicitation/roots capabilities reached the upstream");
        members["memory"].Names.Should().Contain(["create_entities", "read_graph"]);
        members["filesystem"].Names.Should().Contain(["read_text_file", "list_directory"]);

        // The view answers as the gateway, on the newest stateful revision, not as one of its members.
        var viewName = (string?)json["serverInfo"]?["name"];
        viewName.Should().NotBeNullOrEmpty(report.Output);
        new[] { "everything", "memory", "filesystem" }.Select(m => (string?)json["members"]?[m]?["serverInfo"]?["name"])
            .Should().NotContain(viewName, report.Output);
        ((string?)json["protocolVersion"]).Should().Be("2025-11-25", report.Output);
        TypeScriptClientRun.Ok(report, "ping");

        var tools = TypeScriptClientRun.Ok(report, "toolsList");
        var expected = members.Values.SelectMany(m => m.Names.Select(n => $"{m.Server}__{n}")).Order(StringComparer.Ordinal).ToList();
        var names = TypeScriptClientRun.Strings(tools["names"]).Order(StringComparer.Ordinal).ToList();
        names.Should().Equal(expected, "every member's tools appear once, as {server}__{name}, and nothing else does");
        ((int?)tools["count"]).Should().Be(members.Values.Sum(m => m.Names.Length), "the view's count is the sum of the members' counts");
        foreach (var (role, member) in members)
        {
            ((int?)tools["byPrefix"]?[role]).Should().Be(member.Names.Length, $"all of {member.Server}'s tools carry the '{member.Server}__' prefix");
        }

        TypeScriptClientRun.Strings(tools["invalidNames"]).Should().BeEmpty("aggregated names stay within [A-Za-z0-9_.-]{1,128}");
        ((string?)tools["echoInputSchema"]?["properties"]?["message"]?["type"]).Should().Be("string", "schemas pass through untouched");
        ((bool?)tools["echoAnnotations"]?["readOnlyHint"]).Should().BeTrue("annotations pass through untouched");
        ((string?)tools["readTextFileTitle"]).Should().Be("Read Text File", "titles pass through untouched");
    }

    private static void ShouldHaveRoutedCallsToEachMember(TypeScriptClientRun.Report report, string servedFolder)
    {
        ((string?)TypeScriptClientRun.Ok(report, "echo")["text"]).Should().Be("Echo: hello through /mcp ✓");

        var entity = (string?)report.Json["entity"];
        var created = TypeScriptClientRun.Ok(report, "memoryCreateEntities");
        ((string?)created["created"]?[0]?["name"]).Should().Be(entity);
        var graph = TypeScriptClientRun.Ok(report, "memoryReadGraph");
        ((string?)graph["entity"]?["entityType"]).Should().Be("interop-test");
        TypeScriptClientRun.Strings(graph["entity"]?["observations"]).Should().Equal("created through the gateway's aggregated endpoint");

        var resources = TypeScriptClientRun.Ok(report, "resources");
        TypeScriptClientRun.Strings(resources["uris"]).Should().Contain(
            ["memory://knowledge-graph", "demo://resource/static/document/instructions.md"], "resources keep their URIs in the view");
        ((bool?)resources["readContainsEntity"]).Should().BeTrue("resources/read by URI reaches server-memory");

        var read = TypeScriptClientRun.Ok(report, "filesystemRead");
        ((string?)read["path"]).Should().Be(Path.Combine(servedFolder, FileName));
        ((string?)read["text"]).Should().Be(FileContent, "files__read_text_file reads the file server-filesystem serves");
        ((string?)read["structuredContent"]?["content"]).Should().Be(FileContent, "structuredContent passes through");
        ((string?)TypeScriptClientRun.Ok(report, "filesystemList")["text"]).Should().Contain($"[FILE] {FileName}").And.Contain("[FILE] data.json");
    }

    private static void ShouldHaveRelayedServerToClientTraffic(TypeScriptClientRun.Report report)
    {
        var sampling = TypeScriptClientRun.Ok(report, "sampling");
        ((int?)sampling["samplingRequests"]).Should().Be(1, "the upstream's sampling/createMessage reaches the client exactly once");
        ((string?)sampling["requestText"]).Should().Be("Resource trigger-sampling-request context: what is the aggregate answer?");
        ((int?)sampling["requestMaxTokens"]).Should().Be(23);
        ((string?)sampling["toolText"]).Should().Contain("aggregate canned sampling answer 4712").And.Contain("aggregate-canned-model");

        var elicitation = TypeScriptClientRun.Ok(report, "elicitation");
        ((int?)elicitation["elicitationRequests"]).Should().Be(1);
        ((string?)elicitation["toolText"]).Should().Contain("- Name: Aggregate Tester").And.Contain("- Agreed to terms: true");

        var progress = TypeScriptClientRun.Ok(report, "progress");
        TypeScriptClientRun.Numbers(progress["values"]).Should().Equal([1d, 2d, 3d], "every progress notification reaches onprogress under the client's token");
        TypeScriptClientRun.Strings(progress["wireOrder"]).Should().Equal(["progress:1/3", "progress:2/3", "progress:3/3", "result"]);
        ((string?)progress["toolText"]).Should().StartWith("Long running operation completed.");

        TypeScriptClientRun.Ok(report, "close");
    }

    /// <summary>
    /// The client aborted everything__trigger-long-running-operation (3 s, 6 steps) at its first progress notification,
    /// then ran the same operation again to completion: by then the cancelled one would have finished on the same upstream.
    /// server-everything 2026.8.31 keeps its loop running after a cancel (it sends progress with the server's own
    /// notification call, not the request's abort-aware one), but its SDK drops the result of an aborted request. So:
    /// the gateway told the upstream to cancel (event 1011), the upstream never answered that request (no event 1006 for
    /// its id, which an answer arriving for the abandoned request would log), and none of its later progress reached the client.
    /// </summary>
    private static async Task ShouldHaveStoppedTheCancelledCallUpstream(TypeScriptClientRun.Report report, GatewayHarness gateway)
    {
        var cancel = report.Check("cancel");
        var observed = $"check 'cancel' reported {cancel.ToJsonString()}\n{report.Output}";
        ((string?)cancel["outcome"]?["settled"]).Should().Be("rejected", observed);
        TypeScriptClientRun.Numbers(cancel["progressBeforeAbort"]).Should().NotBeEmpty(observed);
        ((int?)cancel["cancelNotification"]?["requestId"]).Should().Be((int?)cancel["cancelledToken"], "the SDK sends notifications/cancelled for the aborted request\n" + observed);

        var told = await gateway.Logs.WaitForEventAsync(UpstreamCancelSent, l => l.Message.StartsWith($"[{Everything}] ", StringComparison.Ordinal));
        var upstreamId = CancelledUpstreamId().Match(told.Message) is { Success: true } match
            ? match.Groups["id"].Value
            : throw new InvalidOperationException($"unexpected event {UpstreamCancelSent} text: {told.Message}");
        gateway.Logs.Lines.Where(l => l.IsGateway && l.EventId == UpstreamCancelSent).Should().ContainSingle("exactly one call was cancelled in the run");
        gateway.Logs.Lines.Where(l => l.IsGateway && l.EventId == UpstreamUnmatchedResponse && l.Message == $"[{Everything}] answer to unknown request id {upstreamId} ignored")
            .Should().BeEmpty("the upstream stopped the cancelled request: no result for upstream id {0} arrived after the cancel", upstreamId);

        var sentinel = TypeScriptClientRun.Strings(cancel["sentinelWireOrder"]);
        sentinel.Should().Equal(
            ["progress:1/6", "progress:2/6", "progress:3/6", "progress:4/6", "progress:5/6", "progress:6/6", "result"],
            "the operation run after the cancel gets its own progress, in order\n" + observed);

        cancel["strayProgressAfterCancel"]!.AsArray().Select(n => n?.ToJsonString()).Should().BeEmpty(
            "after notifications/cancelled no progress for the cancelled request may reach the client: the upstream keeps " +
            "sending progress under the gateway's own token, which no request of this client owns (spec: progress " +
            "notifications only reference tokens of active requests)\n" + observed);
        ((bool?)cancel["ok"]).Should().BeTrue(observed);
    }

    private static string[] Member(TypeScriptClientRun.Report report, string role)
    {
        var member = report.Json["members"]?[role] as JsonObject ?? throw new InvalidOperationException($"member '{role}' missing from the report\n{report.Output}");
        var names = TypeScriptClientRun.Strings(member["names"]).ToArray();
        names.Should().NotBeEmpty($"{role} lists its tools through /servers/{{name}}/mcp\n{report.Output}");
        ((int?)member["count"]).Should().Be(names.Length);
        return names;
    }

    [GeneratedRegex(@"told the upstream to cancel request (?<id>-?\d+):")]
    private static partial Regex CancelledUpstreamId();
}
