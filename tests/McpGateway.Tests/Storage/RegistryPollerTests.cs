using System.Text.Json.Nodes;
using McpGateway.Admin;
using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Storage;

/// <summary>Two gateways over one store, as replicas behind a load balancer: a change made through one reaches the other.</summary>
public sealed class RegistryPollerTests
{
    private const int ChangedElsewhere = 2613;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Poller_ServerRegisteredOnOneReplica_RunsOnTheOtherAndItsRemovalToo(string provider)
    {
        await using var database = RegistryTestDatabase.Create(provider);
        var config = ConfigLoading.Load("mcpServers: {}\n").Config! with
        {
            Storage = database.Options with { PollInterval = TimeSpan.FromMilliseconds(200) },
        };
        await using var first = await GatewayHarness.StartAsync(config);
        await using var second = await GatewayHarness.StartAsync(config);

        var registered = await first.Services.GetRequiredService<RegistryService>().PutServerAsync(
            "remote", new JsonObject { ["url"] = "https://mcp.example.com/mcp" }, replace: false, CancellationToken.None);
        registered.Succeeded.Should().BeTrue();

        await second.Logs.WaitForEventAsync(ChangedElsewhere);
        var seen = second.Services.GetRequiredService<IGatewayConfigProvider>().Current.FindServer("remote");
        seen.Should().NotBeNull();
        seen!.Origin.Should().Be(EntryOrigin.Registry);

        var removed = await first.Services.GetRequiredService<RegistryService>().RemoveServerAsync("remote", CancellationToken.None);
        removed.Problem.Should().BeNull();
        await second.Logs.WaitForEventAsync(ChangedElsewhere, line => second.Logs.CountEvents(ChangedElsewhere) >= 2);
        second.Services.GetRequiredService<IGatewayConfigProvider>().Current.FindServer("remote").Should().BeNull();
    }
}
