using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Sessions;

/// <summary><c>replicas: N</c> on a stdio server: stateless requests take turns over N processes.</summary>
public sealed class ReplicasTests
{
    private static async Task<string> PidAsync(GatewayHarness gateway)
    {
        var answer = await McpCalls.StatelessAsync(new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo")), "tools/call", McpCalls.Call("pid"));
        return (string?)answer["result"]?["content"]?[0]?["text"] ?? throw new InvalidOperationException(answer.ToJsonString());
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(1, 1)]
    public async Task StatelessCalls_TakeTurnsOverTheReplicas(int replicas, int distinct)
    {
        await using var gateway = await GatewayHarness.StartAsync("mcpServers:\n" + GatewayHarness.DemoServer("demo", $"replicas: {replicas}"));

        var pids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            pids.Add(await PidAsync(gateway));
        }

        pids.Distinct().Should().HaveCount(distinct);
        pids.Take(replicas).Should().OnlyHaveUniqueItems("each turn goes to the next replica");
    }
}
