using McpGateway.Configuration;
using McpGateway.Policy;
using McpGateway.Security;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Policy;

/// <summary>Token buckets and quotas over a clock the test moves: refill, burst, and the UTC day and month boundaries.</summary>
public sealed class TrafficLimitsTests
{
    private static readonly GatewayPrincipal Alice = new("apikey:alice", PrincipalKind.ApiKey, "alice", [], "acme", []);

    private static (TrafficLimits Limits, ManualTimeProvider Clock) Create(string limits, DateTimeOffset? start = null)
    {
        var result = ConfigLoading.Load("mcpServers: { a: { command: x } }\nlimits:\n" + limits);
        result.Errors.Should().BeEmpty();
        var clock = new ManualTimeProvider(start ?? new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        return (new TrafficLimits(new GatewayConfigProvider(result.Config!), clock), clock);
    }

    private static LimitRefusal? Call(TrafficLimits limits, string tool = "a__echo") =>
        limits.TryAcquire(new LimitedRequest(Alice, "tools/call", null, "a", tool), out _);

    [Fact]
    public void Bucket_AllowsTheBurst_ThenRefillsAtTheRate()
    {
        var (limits, clock) = Create("  - { name: r, per: principal, rate: 2/s, burst: 3 }\n");

        var burst = Enumerable.Range(0, 3).Select(_ => Call(limits)).ToList();
        var fourth = Call(limits);
        clock.Advance(TimeSpan.FromMilliseconds(499));
        var early = Call(limits);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        var refilled = Call(limits);

        burst.Should().AllSatisfy(r => r.Should().BeNull());
        fourth!.Kind.Should().Be("rate");
        fourth.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(500), "one token takes 1/rate to come back");
        early.Should().NotBeNull();
        refilled.Should().BeNull();
    }

    [Fact]
    public void DailyQuota_ResetsAtUtcMidnight_AndSaysHowLongUntilThen()
    {
        var (limits, clock) = Create("  - { name: q, per: tenant, daily: 2 }\n", new DateTimeOffset(2026, 11, 22, 23, 0, 0, TimeSpan.Zero));

        Call(limits).Should().BeNull();
        Call(limits).Should().BeNull();
        var refused = Call(limits);
        clock.Advance(TimeSpan.FromHours(1));
        var nextDay = Call(limits);

        refused!.Kind.Should().Be("daily quota");
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(1));
        nextDay.Should().BeNull();
    }

    [Fact]
    public void MonthlyQuota_ResetsOnTheFirstOfTheMonth()
    {
        var (limits, clock) = Create("  - { name: q, monthly: 1 }\n", new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

        Call(limits).Should().BeNull();
        var refused = Call(limits);
        clock.Advance(TimeSpan.FromHours(12));

        refused!.RetryAfter.Should().Be(TimeSpan.FromHours(12));
        Call(limits).Should().BeNull();
    }

    [Fact]
    public void RefusedRequest_TakesNothingFromTheLimitsThatAllowedIt()
    {
        // The quota is listed first: it counts the call before the bucket refuses it, and must give it back.
        var (limits, _) = Create("  - { name: q, daily: 2 }\n  - { name: r, tools: [a__slow], rate: 1/h, burst: 1 }\n");

        Call(limits, "a__slow").Should().BeNull();
        Call(limits, "a__slow")!.Rule.Name.Should().Be("r");
        Call(limits, "a__echo").Should().BeNull("the refused call was refunded to the daily quota");
        Call(limits, "a__echo")!.Rule.Name.Should().Be("q");
    }

    [Fact]
    public void Keys_CountEachCombinationSeparately()
    {
        var (limits, _) = Create("  - { name: r, per: [principal, tool], rate: 1/h, burst: 1 }\n");

        Call(limits, "a__one").Should().BeNull();
        Call(limits, "a__two").Should().BeNull();
        Call(limits, "a__one").Should().NotBeNull();
    }
}
