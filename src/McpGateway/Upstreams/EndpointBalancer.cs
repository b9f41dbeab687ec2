using McpGateway.Configuration;
using McpGateway.Observability;
using Microsoft.Extensions.Logging;

namespace McpGateway.Upstreams;

/// <summary>
/// Picks the endpoint for each new upstream session of a server with several <c>urls</c>. An endpoint that failed (could
/// not be reached, or its session died) sits out <see cref="Cooldown"/>, then is tried again; when every endpoint is out,
/// the one out longest is tried.
/// </summary>
internal sealed class EndpointBalancer(string server, IReadOnlyList<UpstreamEndpoint> endpoints, BalanceStrategy strategy, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(30);

    private readonly long[] _outUntil = new long[endpoints.Count];
    private readonly int[] _inFlight = new int[endpoints.Count];
    private readonly int _totalWeight = endpoints.Sum(e => e.Weight);
    private readonly ILoadBalancingPolicy _policy = LoadBalancingPolicies.For(strategy);
    private long _next = -1;

    public IReadOnlyList<UpstreamEndpoint> Endpoints => endpoints;

    public int Choose()
    {
        var now = time.GetUtcNow().UtcTicks;
        var best = _policy.Pick(this, Interlocked.Increment(ref _next), now);
        return best >= 0 ? best : LongestOut();
    }

    public int Count => endpoints.Count;

    public int Weight(int endpoint) => endpoints[endpoint].Weight;

    public int TotalWeight => _totalWeight;

    public int InFlight(int endpoint) => Volatile.Read(ref _inFlight[endpoint]);

    public bool IsUp(int endpoint, long now) => Volatile.Read(ref _outUntil[endpoint]) <= now;

    /// <summary>The first endpoint that is up, starting at <paramref name="start"/> and wrapping around; -1 if none.</summary>
    public int FirstUp(int start, long now)
    {
        for (var offset = 0; offset < endpoints.Count; offset++)
        {
            var i = (start + offset) % endpoints.Count;
            if (IsUp(i, now))
            {
                return i;
            }
        }

        return -1;
    }

    public void Failed(int endpoint, string reason)
    {
        Volatile.Write(ref _outUntil[endpoint], (time.GetUtcNow() + Cooldown).UtcTicks);
        GatewayLog.EndpointOut(logger, server, endpoints[endpoint].Url.ToString(), reason, Cooldown.TotalSeconds);
    }

    public void Connected(int endpoint) => Volatile.Write(ref _outUntil[endpoint], 0);

    public void Started(int endpoint) => Interlocked.Increment(ref _inFlight[endpoint]);

    public void Finished(int endpoint) => Interlocked.Decrement(ref _inFlight[endpoint]);

    /// <summary>Whether the endpoint is in use (not sitting out after a failure), for the admin API.</summary>
    public bool IsUp(int endpoint) => IsUp(endpoint, time.GetUtcNow().UtcTicks);

    private int LongestOut()
    {
        var oldest = 0;
        for (var i = 1; i < endpoints.Count; i++)
        {
            if (Volatile.Read(ref _outUntil[i]) < Volatile.Read(ref _outUntil[oldest]))
            {
                oldest = i;
            }
        }

        return oldest;
    }
}

/// <summary>How a balancer picks among a server's endpoints for the next upstream session (or stateless call).</summary>
internal interface ILoadBalancingPolicy
{
    /// <param name="turn">Increases by one per pick: the basis of rotation.</param>
    /// <returns>The endpoint, or -1 when none is up.</returns>
    int Pick(EndpointBalancer endpoints, long turn, long now);
}

/// <summary>The policy for each <see cref="BalanceStrategy"/>; stateless, so one instance each.</summary>
internal static class LoadBalancingPolicies
{
    private static readonly ILoadBalancingPolicy Failover = new FailoverPolicy();
    private static readonly ILoadBalancingPolicy RoundRobin = new RoundRobinPolicy();
    private static readonly ILoadBalancingPolicy Weighted = new WeightedPolicy();
    private static readonly ILoadBalancingPolicy LeastRequests = new LeastRequestsPolicy();

    public static ILoadBalancingPolicy For(BalanceStrategy strategy) => strategy switch
    {
        BalanceStrategy.RoundRobin => RoundRobin,
        BalanceStrategy.Weighted => Weighted,
        BalanceStrategy.LeastRequests => LeastRequests,
        _ => Failover,
    };

    /// <summary>The first endpoint that is up, in the order written.</summary>
    private sealed class FailoverPolicy : ILoadBalancingPolicy
    {
        public int Pick(EndpointBalancer endpoints, long turn, long now) => endpoints.FirstUp(0, now);
    }

    private sealed class RoundRobinPolicy : ILoadBalancingPolicy
    {
        public int Pick(EndpointBalancer endpoints, long turn, long now) => endpoints.FirstUp((int)(turn % endpoints.Count), now);
    }

    /// <summary>Slot <c>turn</c> of a cycle in which each endpoint owns <c>weight</c> consecutive slots.</summary>
    private sealed class WeightedPolicy : ILoadBalancingPolicy
    {
        public int Pick(EndpointBalancer endpoints, long turn, long now)
        {
            var slot = (int)(turn % endpoints.TotalWeight);
            var start = 0;
            while (slot >= endpoints.Weight(start))
            {
                slot -= endpoints.Weight(start);
                start++;
            }

            return endpoints.FirstUp(start, now);
        }
    }

    /// <summary>The endpoint with the fewest calls in flight; ties go round-robin, so idle endpoints share the work.</summary>
    private sealed class LeastRequestsPolicy : ILoadBalancingPolicy
    {
        public int Pick(EndpointBalancer endpoints, long turn, long now)
        {
            var best = -1;
            for (var offset = 0; offset < endpoints.Count; offset++)
            {
                var i = (int)((turn + offset) % endpoints.Count);
                if (endpoints.IsUp(i, now) && (best < 0 || endpoints.InFlight(i) < endpoints.InFlight(best)))
                {
                    best = i;
                }
            }

            return best;
        }
    }
}
