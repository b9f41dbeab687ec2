using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Upstreams;

/// <summary>
/// An upstream killed while it has calls in flight and more arriving from many clients: every call ends with a result
/// or a clear error within its timeout, another server's calls are untouched, and the killed server serves again.
/// The circuit breaker is off here so the restart shows at once (with it on, the next calls would be refused for its
/// break duration; <see cref="TrafficPolicyTests"/> covers that).
/// </summary>
public sealed class ChaosTests
{
    private const int Clients = 8;
    private const int CallsPerClient = 6;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(4);

    private static JsonObject Echo(string tool, string message) => new() { ["name"] = tool, ["arguments"] = new JsonObject { ["message"] = message } };

    [Fact]
    public async Task UpstreamKilledMidCall_UnderConcurrentLoad_EveryCallEndsInTime_OtherServerUnaffected()
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n"
            + GatewayHarness.DemoServer("alpha", "sessionMode: shared\nrequestTimeout: 4s\nrestart: { initialBackoff: 50ms }\ncircuitBreaker: false")
            + GatewayHarness.DemoServer("beta"));
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => McpCalls.ConnectAsync(gateway, "mcp")));
        var pidAnswer = await clients[0].CallAsync("tools/call", new JsonObject { ["name"] = "alpha__pid", ["arguments"] = new JsonObject() });
        var pid = int.Parse((string)pidAnswer["result"]!["content"]![0]!["text"]!, System.Globalization.CultureInfo.InvariantCulture);

        // Calls certainly in flight at the kill: each has reported progress from inside the upstream.
        var inFlight = new List<OpenResponse>();
        for (var i = 0; i < Clients; i++)
        {
            var open = await clients[i].OpenAsync(clients[i].Request("tools/call", new JsonObject
            {
                ["name"] = "alpha__wait_for",
                ["arguments"] = new JsonObject { ["key"] = $"k{i}" },
                ["_meta"] = new JsonObject { ["progressToken"] = $"p{i}" },
            }));
            ((string?)(await open.ReadMessageAsync())?["method"]).Should().Be("notifications/progress");
            inFlight.Add(open);
        }

        var started = Stopwatch.StartNew();
        var load = clients.SelectMany((client, c) => Enumerable.Range(0, CallsPerClient).SelectMany(n => new[]
        {
            (Server: "alpha", Task: client.CallAsync("tools/call", Echo("alpha__echo", $"a{c}.{n}"))),
            (Server: "beta", Task: client.CallAsync("tools/call", Echo("beta__echo", $"b{c}.{n}"))),
        })).ToList();
        Process.GetProcessById(pid).Kill();

        var interrupted = await Task.WhenAll(inFlight.Select(open => open.ReadMessageAsync())).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var answers = await Task.WhenAll(load.Select(l => l.Task)).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var elapsed = started.Elapsed;
        var after = await clients[1].CallAsync("tools/call", Echo("alpha__echo", "again"));
        inFlight.ForEach(open => open.Dispose());

        interrupted.Should().AllSatisfy(answer =>
        {
            ((int?)answer?["error"]?["code"]).Should().Be(-32000, "the call in flight lost its upstream: " + answer?.ToJsonString());
            ((string?)answer!["error"]!["message"]).Should().Contain("alpha");
        });
        for (var i = 0; i < load.Count; i++)
        {
            var answer = answers[i];
            if (load[i].Server == "beta")
            {
                answer["result"].Should().NotBeNull("beta never failed: " + answer.ToJsonString());
                continue;
            }

            // An alpha call either got through (before the kill, or after the restart) or failed clearly.
            if (answer["error"] is { } error)
            {
                ((int?)error["code"]).Should().BeOneOf([-32000, -32001], answer.ToJsonString());
                ((string?)error["message"]).Should().Contain("alpha");
            }
            else
            {
                ((string?)answer["result"]?["content"]?[0]?["text"]).Should().StartWith("a");
            }
        }

        elapsed.Should().BeLessThan(RequestTimeout * 3, "no call waited past its own timeout (plus restart)");
        ((string?)after["result"]?["content"]?[0]?["text"]).Should().Be("again", "the killed server was restarted: " + after.ToJsonString());
    }
}
