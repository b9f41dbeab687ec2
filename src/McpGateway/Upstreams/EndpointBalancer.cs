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
    private long _next = -1;

    public IReadOnlyList<UpstreamEndpoint> Endpoints => endpoints;

    public int Choose()
    {
        var now = time.GetUtcNow().UtcTicks;
        var turn = Interlocked.Increment(ref _next);
        var best = -1;
        switch (strategy)
        {
            case BalanceStrategy.Failover:
                best = FirstUp(0, now);
                break;
            case BalanceStrategy.RoundRobin:
                best = FirstUp((int)(turn % endpoints.Count), now);
                break;
            case BalanceStrategy.Weighted:
                // Slot `turn` of a cycle in which endpoint i owns `weight` consecutive slots.
                var slot = (int)(turn % _totalWeight);
                var start = 0;
                while (slot >= endpoints[start].Weight)
                {
                    slot -= endpoints[start].Weight;
                    start++;
                }

                best = FirstUp(start, now);
                break;
            case BalanceStrategy.LeastRequests:
                for (var offset = 0; offset < endpoints.Count; offset++)
                {
                    // Ties go round-robin, so idle endpoints share new sessions.
                    var i = (int)((turn + offset) % endpoints.Count);
                    if (IsUp(i, now) && (best < 0 || Volatile.Read(ref _inFlight[i]) < Volatile.Read(ref _inFlight[best])))
                    {
                        best = i;
                    }
                }

                break;
        }

        return best >= 0 ? best : LongestOut();
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

    private bool IsUp(int endpoint, long now) => Volatile.Read(ref _outUntil[endpoint]) <= now;

    private int FirstUp(int start, long now)
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
