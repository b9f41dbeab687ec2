using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Tests.TestSupport;
using McpGateway.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpGateway.Tests.Upstreams;

/// <summary>The circuit breaker's life over a clock the test moves: open, half-open probe, closed again or reopened.</summary>
public sealed class ServerTrafficTests
{
    private static readonly JsonRpcRequest Request = new() { Id = new RequestId(1), Method = "tools/call" };

    private static (ServerTraffic Traffic, ManualTimeProvider Clock) Create()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var options = ServerTrafficOptions.Default with
        {
            Retries = RetryOptions.Off,
            CircuitBreaker = new CircuitBreakerOptions(0.5, 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)),
        };
        return (new ServerTraffic("s", options, clock, NullLogger.Instance), clock);
    }

    private static Task<JsonRpcMessage> RunAsync(ServerTraffic traffic, bool fail, Counter calls, int? httpStatus = null) => traffic.RunAsync(
        Request,
        TimeSpan.FromSeconds(5),
        (state, _) =>
        {
            state.Calls.Value++;
            if (!state.Fail)
            {
                return Task.FromResult<JsonRpcMessage>(new JsonRpcResponse { Id = Request.Id, Result = new System.Text.Json.Nodes.JsonObject() });
            }

            var error = GatewayErrors.Unavailable(Request.Id, "s", "down");
            if (state.HttpStatus is { } status)
            {
                ((System.Text.Json.Nodes.JsonObject)error.Error.Data!)["httpStatus"] = status;
            }

            return Task.FromResult<JsonRpcMessage>(error);
        },
        (Calls: calls, Fail: fail, HttpStatus: httpStatus),
        TestContext.Current.CancellationToken);

    [Theory]
    [InlineData(503, true)]
    [InlineData(401, false)]
    public async Task Breaker_CountsOutagesButNotRefusals(int status, bool opens)
    {
        var (traffic, _) = Create();
        var calls = new Counter();

        await RunAsync(traffic, fail: false, calls);
        await RunAsync(traffic, fail: true, calls, status);

        traffic.State.Should().Be(opens ? CircuitState.Open : CircuitState.Closed);
    }

    private sealed class Counter
    {
        public int Value;
    }

    [Fact]
    public async Task Breaker_OpensOnFailures_ProbesAfterTheBreak_AndClosesWhenTheProbeSucceeds()
    {
        var (traffic, clock) = Create();
        var calls = new Counter();

        await RunAsync(traffic, fail: false, calls);
        await RunAsync(traffic, fail: true, calls);
        var whileOpen = await RunAsync(traffic, fail: false, calls);
        var stateOpen = traffic.State;
        clock.Advance(TimeSpan.FromSeconds(10));
        var probe = await RunAsync(traffic, fail: false, calls);

        stateOpen.Should().Be(CircuitState.Open);
        ((JsonRpcError)whileOpen).Error.Message.Should().Contain("circuit breaker is open");
        calls.Value.Should().Be(3, "the call while open never ran");
        probe.Should().BeOfType<JsonRpcResponse>();
        traffic.State.Should().Be(CircuitState.Closed);
    }

    [Fact]
    public async Task Breaker_AFailedProbe_OpensItAgain()
    {
        var (traffic, clock) = Create();
        var calls = new Counter();
        await RunAsync(traffic, fail: false, calls);
        await RunAsync(traffic, fail: true, calls);

        clock.Advance(TimeSpan.FromSeconds(10));
        await RunAsync(traffic, fail: true, calls);

        traffic.State.Should().Be(CircuitState.Open);
        ((JsonRpcError)await RunAsync(traffic, fail: false, calls)).Error.Message.Should().Contain("circuit breaker is open");
    }
}
