using System.Collections.Concurrent;
using McpGateway.Configuration;
using McpGateway.Security;

namespace McpGateway.Policy;

/// <summary>What a request is, as far as <c>limits:</c> selectors and keys care.</summary>
/// <param name="View">The virtual server's name (<c>default</c> for <c>/mcp</c>); null for <c>/servers/{name}</c>.</param>
/// <param name="Server">The server the request goes to, when it goes to one.</param>
/// <param name="Tool">For a tool call whose server is known: the canonical <c>server__tool</c>.</param>
internal readonly record struct LimitedRequest(GatewayPrincipal Principal, string Method, string? View, string? Server, string? Tool);

/// <summary>The tightest limit a passed request counts against, for the <c>RateLimit-*</c> headers.</summary>
internal readonly record struct LimitHeadroom(long Limit, long Remaining, TimeSpan Reset);

/// <summary>A refusal: which limit, and when the request could pass.</summary>
internal sealed record LimitRefusal(LimitRule Rule, string Kind, TimeSpan RetryAfter, string Key);

/// <summary>
/// The in-process state of <c>limits:</c>: a token bucket per (rule, key) and a counter per (rule, key, UTC day or month).
/// A request takes from every limit it counts against, or from none: when one refuses, what the others gave is put back.
/// </summary>
internal sealed class TrafficLimits(IGatewayConfigProvider config, TimeProvider time)
{
    /// <summary>Idle buckets are forgotten beyond this many (a full bucket is the same as a missing one).</summary>
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, QuotaCounter> _quotas = new(StringComparer.Ordinal);
    private int _sinceSweep;

    /// <summary>Whether any rule may apply to requests of this method: lets the filter skip all work when none can.</summary>
    public bool AnyFor(string method)
    {
        foreach (var rule in config.Current.Limits.Rules)
        {
            if (MethodCounts(rule, method))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some rule that counts this method selects by server or tool (the filter then resolves a view's tool).</summary>
    public bool NeedsRoute(string method) => config.Current.Limits.Rules.Any(rule => MethodCounts(rule, method)
        && (rule.Servers is not null || rule.Tools is not null || rule.Per.Contains(LimitKeyPart.Server) || rule.Per.Contains(LimitKeyPart.Tool)));

    /// <summary>Takes one unit from every applicable limit, or refuses without taking any.</summary>
    public LimitRefusal? TryAcquire(in LimitedRequest request, out LimitHeadroom? headroom)
    {
        headroom = null;
        var rules = config.Current.Limits.Rules;
        if (rules.Count == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        List<Action>? taken = null;
        foreach (var rule in rules)
        {
            if (!Applies(rule, request))
            {
                continue;
            }

            var key = Key(rule, request);
            if (rule.Rate is { } rate)
            {
                var bucket = _buckets.GetOrAdd(rule.Name + "\n" + key, _ => new TokenBucket(rule.Burst, now));
                if (!bucket.TryTake(rate.PerSecond, rule.Burst, now, out var remaining, out var wait))
                {
                    Refund(taken);
                    return new LimitRefusal(rule, "rate", wait, key);
                }

                (taken ??= []).Add(() => bucket.Refund(rule.Burst));
                headroom = Tighter(headroom, new LimitHeadroom((long)rule.Burst, (long)remaining, TimeSpan.FromSeconds((rule.Burst - remaining) / rate.PerSecond)));
            }

            foreach (var (limit, monthly) in (IEnumerable<(long?, bool)>)[(rule.Daily, false), (rule.Monthly, true)])
            {
                if (limit is not { } max)
                {
                    continue;
                }

                var (start, end) = Period(now, monthly);
                var counter = _quotas.AddOrUpdate($"{rule.Name}\n{(monthly ? 'm' : 'd')}\n{key}", _ => new QuotaCounter(start), (_, existing) => existing.Start == start ? existing : new QuotaCounter(start));
                if (!counter.TryTake(max))
                {
                    Refund(taken);
                    return new LimitRefusal(rule, monthly ? "monthly quota" : "daily quota", end - now, key);
                }

                (taken ??= []).Add(counter.Refund);
                headroom = Tighter(headroom, new LimitHeadroom(max, max - counter.Used, end - now));
            }
        }

        if (Interlocked.Increment(ref _sinceSweep) % 1024 == 0 && _buckets.Count > SweepThreshold)
        {
            Sweep(now);
        }

        return null;
    }

    internal static bool MethodCounts(LimitRule rule, string method)
    {
        if (rule.Tools is not null && method != Protocol.McpMethods.ToolsCall)
        {
            return false;
        }

        return rule.Methods is { } methods
            ? methods.Contains(method, StringComparer.Ordinal)
            : method is not (Protocol.McpMethods.Initialize or Protocol.McpMethods.Ping or Protocol.McpMethods.ServerDiscover);
    }

    private static bool Applies(LimitRule rule, in LimitedRequest request)
    {
        var principal = request.Principal;
        var match = rule.Match;
        return MethodCounts(rule, request.Method)
            && (match.Roles.Count == 0 || match.Roles.Any(principal.IsInRole))
            && (match.Tenants.Count == 0 || (principal.Tenant is { } tenant && match.Tenants.Contains(tenant, StringComparer.Ordinal)))
            && match.Principals.Grants(principal.Id)
            && (rule.Views is null || (request.View is { } view && rule.Views.Grants(view)))
            && (rule.Servers is null || (request.Server is { } server && rule.Servers.Grants(server)))
            && (rule.Tools is null || (request.Tool is { } tool && rule.Tools.Grants(tool)));
    }

    private static string Key(LimitRule rule, in LimitedRequest request)
    {
        if (rule.Per.Count == 0)
        {
            return string.Empty;
        }

        var parts = new string[rule.Per.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = rule.Per[i] switch
            {
                LimitKeyPart.Principal => request.Principal.Id,
                LimitKeyPart.Tenant => request.Principal.Tenant ?? "(no tenant)",
                LimitKeyPart.Server => request.Server ?? "(no server)",
                _ => request.Tool ?? "(no tool)",
            };
        }

        return string.Join('\n', parts);
    }

    private static (DateTimeOffset Start, DateTimeOffset End) Period(DateTimeOffset now, bool monthly)
    {
        var utc = now.UtcDateTime;
        if (monthly)
        {
            var month = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
            return (month, month.AddMonths(1));
        }

        var day = new DateTimeOffset(utc.Date, TimeSpan.Zero);
        return (day, day.AddDays(1));
    }

    private static LimitHeadroom Tighter(LimitHeadroom? current, LimitHeadroom next) =>
        current is { } known && known.Remaining <= next.Remaining ? known : next;

    private static void Refund(List<Action>? taken)
    {
        if (taken is not null)
        {
            foreach (var refund in taken)
            {
                refund();
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IsIdle(now))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Tokens refill continuously at the rule's rate up to the burst; one request takes one token.</summary>
    private sealed class TokenBucket(double burst, DateTimeOffset now)
    {
        private readonly Lock _lock = new();
        private double _tokens = burst;
        private DateTimeOffset _updated = now;

        public bool TryTake(double perSecond, double capacity, DateTimeOffset now, out double remaining, out TimeSpan wait)
        {
            lock (_lock)
            {
                var elapsed = Math.Max(0, (now - _updated).TotalSeconds);
                _tokens = Math.Min(capacity, _tokens + (elapsed * perSecond));
                _updated = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    remaining = Math.Floor(_tokens);
                    wait = TimeSpan.Zero;
                    return true;
                }

                remaining = 0;
                wait = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
                return false;
            }
        }

        public void Refund(double capacity)
        {
            lock (_lock)
            {
                _tokens = Math.Min(capacity, _tokens + 1);
            }
        }

        /// <summary>Untouched for an hour: surely full again.</summary>
        public bool IsIdle(DateTimeOffset now)
        {
            lock (_lock)
            {
                return now - _updated > TimeSpan.FromHours(1);
            }
        }
    }

    /// <summary>Requests counted in one UTC day or month.</summary>
    private sealed class QuotaCounter(DateTimeOffset start)
    {
        private long _used;

        public DateTimeOffset Start { get; } = start;

        public long Used => Volatile.Read(ref _used);

        public bool TryTake(long max)
        {
            while (true)
            {
                var used = Volatile.Read(ref _used);
                if (used >= max)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _used, used + 1, used) == used)
                {
                    return true;
                }
            }
        }

        public void Refund() => Interlocked.Decrement(ref _used);
    }
}
