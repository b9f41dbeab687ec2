using System.Globalization;

namespace McpGateway.Bench;

/// <summary>Command line of the in-process mode: <c>inproc [all|list|call] [--option value]…</c>.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: mcp-gateway-bench inproc [all|list|call] [options]   (everything in one process; for profiling)
          all                    tools/list (cold, warm) and tools/call (direct, passthrough, aggregate)   [default]
          list                   only the tools/list measurements
          call                   only the tools/call measurements
        options:
          --servers N            fake upstream servers (default 50)
          --tools N              tools per server (default 20)
          --cold N               cold list iterations: new session, initialize, drain tools/list (default 20)
          --warm N               warm list iterations: drain tools/list again on one session (default 200)
          --calls N              tools/call at concurrency 1, per target (default 2000)
          --calls-concurrent N   tools/call at higher concurrency, per target, all workers together (default 4000)
          --warmup N             warm-up calls per target and concurrency before measuring (default 200; at least 0.5 s)
          --rounds N             tools/call: the paths take turns in N rounds, so noise hits each alike (default 10)
          --concurrency LIST     comma-separated concurrency levels for tools/call (default 1,8)
          --protocol VERSION     protocol revision the bench client asks for (default 2025-06-18: plain JSON answers;
                                 2025-11-25 makes the gateway answer with resumable SSE streams)
          --page-size N          gateway.pageSize for /mcp (default 100, the gateway's default)
          --audit on|off         the audit trail (default on, as in the gateway); records go to a temporary SQLite file
          --policy P             bare: no audit, validation, pinning, retries or breaker (forwarding only);
                                 default: the gateway's defaults; full: default plus API-key authentication,
                                 an authorization policy, a per-principal rate limit, a tenant quota and a bulkhead
        """;

    public string Scenario { get; init; } = "all";

    public int Servers { get; init; } = 50;

    public int ToolsPerServer { get; init; } = 20;

    public int ColdIterations { get; init; } = 20;

    public int WarmIterations { get; init; } = 200;

    public int Calls { get; init; } = 2000;

    public int ConcurrentCalls { get; init; } = 4000;

    public int Warmup { get; init; } = 200;

    public int Rounds { get; init; } = 10;

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 8];

    public string Protocol { get; init; } = "2025-06-18";

    public int PageSize { get; init; } = 100;

    /// <summary>The audit trail (on by default in the gateway): every tools/call is a record written to SQLite.</summary>
    public bool Audit { get; init; } = true;

    /// <summary>How much of the policy chain runs: bare, default or full.</summary>
    public string Policy { get; init; } = "default";

    public bool RunList => Scenario is "all" or "list";

    public bool RunCall => Scenario is "all" or "call";

    public static BenchOptions? Parse(string[] args, TextWriter error) => BenchArguments.Parse(args, error, Usage, new BenchOptions(),
        (options, word) => word is "all" or "list" or "call" or "aggregate" ? options with { Scenario = word == "aggregate" ? "all" : word } : null,
        (options, option, value) => option switch
        {
            "--servers" => options with { Servers = BenchArguments.Positive(value) },
            "--tools" => options with { ToolsPerServer = BenchArguments.Positive(value) },
            "--cold" => options with { ColdIterations = BenchArguments.Positive(value) },
            "--warm" => options with { WarmIterations = BenchArguments.Positive(value) },
            "--calls" => options with { Calls = BenchArguments.Positive(value) },
            "--calls-concurrent" => options with { ConcurrentCalls = BenchArguments.Positive(value) },
            "--warmup" => options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
            "--rounds" => options with { Rounds = BenchArguments.Positive(value) },
            "--concurrency" => options with { Concurrency = [.. value.Split(',').Select(BenchArguments.Positive)] },
            "--protocol" => options with { Protocol = value },
            "--page-size" => options with { PageSize = BenchArguments.Positive(value) },
            "--policy" => options with { Policy = value is "bare" or "default" or "full" ? value : throw new FormatException("--policy takes bare, default or full") },
            "--audit" => options with { Audit = value is "on" ? true : value is "off" ? false : throw new FormatException("--audit takes on or off") },
            _ => throw new FormatException($"unknown option {option}"),
        });
}
