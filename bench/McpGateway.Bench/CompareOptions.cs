using System.Globalization;

namespace McpGateway.Bench;

/// <summary>Command line of the comparative run (the default mode): <c>[call] [list] [setup] [memory] [--option value]…</c>.</summary>
internal sealed record CompareOptions
{
    public const string Usage = """
        usage: mcp-gateway-bench [call] [list] [setup] [memory] [options]
          Every server in its own process: echo-http, echo-stdio, the gateway (Release build of src/McpGateway) and the
          peers from npm (supergateway, mcp-proxy, mcp-hub; bench/peers, installed with npm ci on first use).
          call                   tools/call echo on every path at each concurrency level
          list                   tools/list on the 50-server view (gateway /virtual/list50, /virtual/onepage, /mcp; direct; mcp-hub)
          setup                  session setup rate (initialize + notifications/initialized + close) per path
          memory                 RSS and CPU with idle sessions held open (gateway and peers)
                                 (no workload named: all four)
        options:
          --calls N              tools/call per path at concurrency 1 (default 1000)
          --calls-concurrent N   tools/call per path at the other levels, all workers together (default 2000)
          --block-seconds S      a path's turn in a round ends after S seconds even if its calls are not done, so a
                                 slow path does not stretch the run; throughput stays calls / time (default 1.5)
          --concurrency LIST     concurrency levels (default 1,8,64)
          --warmup N             warm-up calls per path and level, and at least 0.5 s (default 200)
          --rounds N             paths take turns in N rounds so noise falls on all alike (default 5)
          --servers N            list servers behind the gateway (default 50; 20 tools each)
          --list-warm N          warm tools/list drains per path (default 60)
          --list-cold N          cold tools/list (new session each) per path (default 10)
          --setup-seconds S      session setup: seconds per path, split over the rounds (default 2)
          --idle-sessions LIST   idle gateway sessions on /servers/http/mcp to measure RSS at (default 1000,10000)
          --peer-sessions N      idle sessions per peer (and on the gateway's /servers/stdio/mcp) for RSS (default 100;
                                 supergateway and mcp-proxy start one echo-stdio process per session)
          --peers LIST           supergateway,mcp-proxy,mcp-hub (default all), or none
          --protocol VERSION     protocol revision of the bench client (default 2025-06-18: plain JSON answers)
        """;

    public IReadOnlySet<string> Workloads { get; init; } = new HashSet<string> { "call", "list", "setup", "memory" };

    public int Calls { get; init; } = 1000;

    public int ConcurrentCalls { get; init; } = 2000;

    public double BlockSeconds { get; init; } = 1.5;

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 8, 64];

    public int Warmup { get; init; } = 200;

    public int Rounds { get; init; } = 5;

    public int Servers { get; init; } = 50;

    public int ToolsPerServer { get; init; } = 20;

    public int ListWarm { get; init; } = 60;

    public int ListCold { get; init; } = 10;

    public double SetupSeconds { get; init; } = 2;

    public IReadOnlyList<int> IdleSessions { get; init; } = [1000, 10000];

    public int PeerSessions { get; init; } = 100;

    public IReadOnlySet<string> Peers { get; init; } = new HashSet<string> { "supergateway", "mcp-proxy", "mcp-hub" };

    public string Protocol { get; init; } = "2025-06-18";

    public bool Runs(string workload) => Workloads.Contains(workload);

    public static CompareOptions? Parse(string[] args, TextWriter error)
    {
        var workloads = new HashSet<string>();
        var parsed = BenchArguments.Parse(args, error, Usage, new CompareOptions(),
            (options, word) =>
            {
                if (word is "call" or "list" or "setup" or "memory")
                {
                    workloads.Add(word);
                    return options;
                }

                return word == "all" ? options : null;
            },
            (options, option, value) => option switch
            {
                "--calls" => options with { Calls = BenchArguments.Positive(value) },
                "--calls-concurrent" => options with { ConcurrentCalls = BenchArguments.Positive(value) },
                "--concurrency" => options with { Concurrency = [.. value.Split(',').Select(BenchArguments.Positive)] },
                "--warmup" => options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = BenchArguments.Positive(value) },
                "--servers" => options with { Servers = BenchArguments.Positive(value) },
                "--list-warm" => options with { ListWarm = BenchArguments.Positive(value) },
                "--list-cold" => options with { ListCold = BenchArguments.Positive(value) },
                "--block-seconds" => options with { BlockSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--setup-seconds" => options with { SetupSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--idle-sessions" => options with { IdleSessions = [.. value.Split(',').Select(BenchArguments.Positive).Order()] },
                "--peer-sessions" => options with { PeerSessions = BenchArguments.Positive(value) },
                "--peers" => options with { Peers = value == "none" ? new HashSet<string>() : value.Split(',').ToHashSet() },
                "--protocol" => options with { Protocol = value },
                _ => throw new FormatException($"unknown option {option}"),
            });
        if (parsed is null)
        {
            return null;
        }

        var unknownPeers = parsed.Peers.Except(["supergateway", "mcp-proxy", "mcp-hub"]).ToList();
        if (unknownPeers.Count > 0)
        {
            error.WriteLine($"--peers: unknown {string.Join(", ", unknownPeers)}\n{Usage}");
            return null;
        }

        return workloads.Count == 0 ? parsed : parsed with { Workloads = workloads };
    }
}
