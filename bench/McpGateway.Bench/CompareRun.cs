using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>
/// The comparative run: the same client code against direct servers, the gateway and the peers, every server in
/// its own process, paths interleaved in rounds; prints markdown tables with each result as a ratio to direct and
/// to the best peer of the same run.
/// </summary>
internal static class CompareRun
{
    private const string Message = "hello from the bench";

    /// <summary>Warm-up lasts at least this long per path, so tiered JIT (and V8) have compiled the hot path.</summary>
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromMilliseconds(500);

    public static async Task<int> RunAsync(CompareOptions options, TextWriter output)
    {
        using var cancel = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => BenchProcess.KillAllNow();
        var started = Stopwatch.StartNew();
        PrintMachine(output, options);
        BenchFleet? fleet = null;
        try
        {
            fleet = await BenchFleet.StartAsync(options, Console.Error, cancel.Token);
            using var http = BenchClient.CreateHttpClient();
            var paths = CallPaths(fleet, http, options);
            PrintFleet(output, fleet, paths);
            var gatewayIdleRss = ProcStats.RssBytes(fleet.Gateway.Id);
            paths = await SanityCheckAsync(paths, output, cancel.Token);

            if (options.Runs("call"))
            {
                await CallWorkloadAsync(paths, options, output, cancel.Token);
            }

            if (options.Runs("list"))
            {
                await ListWorkloadAsync(fleet, http, options, output, cancel.Token);
            }

            if (options.Runs("setup"))
            {
                await SetupWorkloadAsync(paths, options, output, cancel.Token);
            }

            if (options.Runs("memory"))
            {
                await MemoryWorkloadAsync(fleet, http, paths, gatewayIdleRss, options, output, cancel.Token);
            }

            output.WriteLine();
            output.WriteLine($"total run time {started.Elapsed.TotalSeconds:0} s; load average now {BenchRun.LoadAverage()}; " +
                             $"gateway CPU {ProcStats.CpuSeconds(fleet.Gateway.Id):0.0} s, RSS {Mb(ProcStats.RssBytes(fleet.Gateway.Id))} MB");
            foreach (var note in fleet.Notes)
            {
                output.WriteLine($"note: {note}");
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("interrupted: stopping every process the bench started");
            return 130;
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException or JsonException)
        {
            await Console.Error.WriteLineAsync($"benchmark failed: {ex}");
            return 1;
        }
        finally
        {
            if (fleet is not null)
            {
                await fleet.StopAsync();
            }
            else
            {
                await BenchProcess.StopAllAsync(TimeSpan.FromSeconds(5));
            }
        }
    }

    /// <summary>One way for the client to reach an echo tool: direct, through the gateway, or through a peer.</summary>
    private sealed class BenchPath(string name, string kind, string direct, Func<IBenchSession> open, Func<int> frontProcess)
    {
        public string Name => name;

        /// <summary><c>direct</c>, <c>gateway</c> or <c>peer</c>.</summary>
        public string Kind => kind;

        /// <summary>The direct path this one is compared with (same upstream transport).</summary>
        public string Direct => direct;

        public Func<IBenchSession> Open => open;

        /// <summary>The process whose CPU time is the path's cost: the echo server when direct, else the gateway or peer.</summary>
        public Func<int> FrontProcess => frontProcess;

        public string Tool { get; set; } = "echo";
    }

    private static List<BenchPath> CallPaths(BenchFleet fleet, HttpClient http, CompareOptions options)
    {
        const string DirectHttp = "direct HTTP (echo-http /mcp)";
        const string DirectStdio = "direct stdio (echo-stdio)";
        var stdioChildren = new List<int>();
        var paths = new List<BenchPath>
        {
            new(DirectHttp, "direct", DirectHttp, () => new BenchClient(http, $"{fleet.EchoHttpUrl}/mcp", options.Protocol), () => fleet.EchoHttp.Id),
            new(DirectStdio, "direct", DirectStdio, () => new StdioBenchClient(fleet.StdioCommand[0], [.. fleet.StdioCommand.Skip(1)], options.Protocol), () => 0),
            new("gateway /servers/http/mcp", "gateway", DirectHttp, () => new BenchClient(http, $"{fleet.GatewayUrl}/servers/http/mcp", options.Protocol), () => fleet.Gateway.Id),
            new("gateway /servers/stdio/mcp", "gateway", DirectStdio, () => new BenchClient(http, $"{fleet.GatewayUrl}/servers/stdio/mcp", options.Protocol), () => fleet.Gateway.Id),
            new("gateway /mcp (aggregate)", "gateway", DirectHttp, () => new BenchClient(http, $"{fleet.GatewayUrl}/mcp", options.Protocol), () => fleet.Gateway.Id) { Tool = "http__echo" },
        };
        foreach (var (peer, (process, endpoint)) in fleet.Peers)
        {
            Func<IBenchSession> open = peer == "mcp-hub"
                ? () => new SseBenchClient(http, endpoint, options.Protocol)
                : () => new BenchClient(http, endpoint, options.Protocol);
            paths.Add(new BenchPath(peer == "mcp-hub" ? "mcp-hub (SSE, aggregating)" : peer, "peer", DirectStdio, open, () => process.Id));
        }

        return paths;
    }

    /// <summary>Every path lists its tools and echoes once before anything is timed; a peer that fails is left out (and said so).</summary>
    private static async Task<List<BenchPath>> SanityCheckAsync(List<BenchPath> paths, TextWriter output, CancellationToken cancellationToken)
    {
        var working = new List<BenchPath>();
        foreach (var path in paths)
        {
            try
            {
                var session = path.Open();
                await session.InitializeAsync(cancellationToken);
                var tools = await session.ListToolNamesAsync(cancellationToken);
                path.Tool = tools.Contains(path.Tool) ? path.Tool
                    : tools.FirstOrDefault(t => t.EndsWith("echo", StringComparison.Ordinal))
                      ?? throw new InvalidOperationException($"no echo tool among [{string.Join(", ", tools)}]");
                await session.CallEchoAsync(path.Tool, Message, cancellationToken);
                await session.CloseAsync(cancellationToken);
                working.Add(path);
            }
            catch (Exception ex) when (path.Kind == "peer" && ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException or JsonException or KeyNotFoundException)
            {
                output.WriteLine($"**{path.Name} left out: its sanity check failed: {ex.Message}**");
            }
        }

        output.WriteLine($"sanity check passed on {working.Count} paths: {string.Join("; ", working.Select(p => $"{p.Name} → tool `{p.Tool}`"))}");
        return working;
    }

    // ---- tools/call ----

    private sealed record Result(string Path, int Concurrency, Measurement Measurement, int Errors, string? FirstError, double FrontCpuMicrosPerOp);

    private static async Task CallWorkloadAsync(List<BenchPath> paths, CompareOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine($"## tools/call echo: {paths.Count} paths interleaved in {options.Rounds} rounds, one client session per worker");
        foreach (var concurrency in options.Concurrency)
        {
            var calls = concurrency == 1 ? options.Calls : options.ConcurrentCalls;
            var perBlock = Math.Max(1, calls / options.Rounds / concurrency);
            var open = new List<(BenchPath Path, List<IBenchSession> Sessions, List<Func<Task>> Workers)>();
            var failed = new List<string>();
            try
            {
                foreach (var path in paths)
                {
                    try
                    {
                        var sessions = await OpenSessionsAsync(path, concurrency, parallelism: 8, cancellationToken);
                        open.Add((path, sessions, [.. sessions.Select(s => (Func<Task>)(() => s.CallEchoAsync(path.Tool, Message, cancellationToken)))]));
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException or JsonException)
                    {
                        failed.Add($"{path.Name}: could not open {concurrency} sessions: {ex.Message}");
                    }
                }

                foreach (var (_, _, workers) in open)
                {
                    await BlockAsync(workers, Math.Max(1, options.Warmup / concurrency), MinimumWarmup, TimeSpan.FromSeconds(options.BlockSeconds), cancellationToken);
                }

                var latencies = open.Select(_ => new List<double>()).ToArray();
                var elapsed = new TimeSpan[open.Count];
                var errors = new int[open.Count];
                var firstErrors = new string?[open.Count];
                var cpu = new double[open.Count];
                for (var round = 0; round < options.Rounds; round++)
                {
                    for (var k = 0; k < open.Count; k++)
                    {
                        var p = (round + k) % open.Count;
                        var cpuBefore = FrontCpu(open[p].Path, open[p].Sessions);
                        var block = await BlockAsync(open[p].Workers, perBlock, TimeSpan.Zero, TimeSpan.FromSeconds(options.BlockSeconds), cancellationToken);
                        cpu[p] += FrontCpu(open[p].Path, open[p].Sessions) - cpuBefore;
                        latencies[p].AddRange(block.Latencies);
                        elapsed[p] += block.Elapsed;
                        errors[p] += block.Errors;
                        firstErrors[p] ??= block.FirstError;
                    }
                }

                var results = open.Select((o, p) => new Result(o.Path.Name, concurrency, new Measurement(o.Path.Name, concurrency, latencies[p], elapsed[p], []),
                    errors[p], firstErrors[p], cpu[p] * 1e6 / Math.Max(1, latencies[p].Count + errors[p]))).ToList();
                PrintCallTable(output, paths, results, concurrency, failed);
            }
            finally
            {
                await Task.WhenAll(open.Select(o => CloseSessionsAsync(o.Sessions)));
            }
        }
    }

    /// <summary>CPU seconds of the path's front process (for direct stdio: the clients' own echo-stdio children).</summary>
    private static double FrontCpu(BenchPath path, IEnumerable<IBenchSession> sessions) => path.FrontProcess() is var pid and > 0
        ? ProcStats.CpuSeconds(pid)
        : sessions.OfType<StdioBenchClient>().Sum(s => s.ProcessId is { } child ? ProcStats.CpuSeconds(child) : 0);

    private static void PrintCallTable(TextWriter output, List<BenchPath> paths, List<Result> results, int concurrency, List<string> failed)
    {
        output.WriteLine();
        output.WriteLine($"### concurrency {concurrency}");
        output.WriteLine();
        output.WriteLine("| path | calls | errors | calls/s | p50 ms | p90 ms | p99 ms | front CPU µs/call | calls/s ÷ direct | calls/s ÷ best peer | +p50 ms vs direct | +p99 ms vs direct | p50 ÷ best peer |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var byName = results.ToDictionary(r => r.Path);
        var bestPeer = results.Where(r => Kind(paths, r.Path) == "peer" && r.Measurement.Count > 0).MaxBy(r => r.Measurement.PerSecond);
        foreach (var r in results)
        {
            var m = r.Measurement;
            var direct = byName.GetValueOrDefault(paths.First(p => p.Name == r.Path).Direct);
            output.WriteLine($"| {r.Path} | {Measurement.N0(m.Count)} | {r.Errors} | {Measurement.N0(m.PerSecond)} | {Measurement.Ms(m.P50)} | {Measurement.Ms(m.P90)} | " +
                             $"{Measurement.Ms(m.P99)} | {r.FrontCpuMicrosPerOp:0} | {Ratio(m.PerSecond, direct?.Measurement.PerSecond)} | " +
                             $"{Ratio(m.PerSecond, bestPeer?.Measurement.PerSecond)} | {Plus(m.P50, direct?.Measurement.P50)} | {Plus(m.P99, direct?.Measurement.P99)} | " +
                             $"{Ratio(m.P50, bestPeer?.Measurement.P50)} |");
        }

        output.WriteLine();
        output.WriteLine($"best peer at concurrency {concurrency}: {bestPeer?.Path ?? "none"}; direct for a gateway or peer path is the direct path of the same upstream transport " +
                         "(peers: direct stdio); front CPU = the gateway's or peer's process (direct: the echo server's)");
        foreach (var r in results.Where(r => r.FirstError is not null))
        {
            output.WriteLine($"- errors on {r.Path}: {r.Errors}, first: {r.FirstError}");
        }

        foreach (var line in failed)
        {
            output.WriteLine($"- **{line}**");
        }
    }

    // ---- tools/list ----

    private static async Task ListWorkloadAsync(BenchFleet fleet, HttpClient http, CompareOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var expected = options.Servers * options.ToolsPerServer;
        output.WriteLine();
        output.WriteLine($"## tools/list on the {options.Servers}-server view ({expected} tools), paths interleaved in {options.Rounds} rounds");
        output.WriteLine();

        // Direct: what a client without a gateway does: one session per server, the lists fetched concurrently.
        var directs = Enumerable.Range(0, options.Servers).Select(i => (IBenchSession)new BenchClient(http, $"{fleet.EchoHttpUrl}/s{i}/mcp", options.Protocol)).ToList();
        var list = new List<(string Name, Func<IBenchSession>? Open, int Tools)>
        {
            ($"direct: {options.Servers} sessions, concurrent tools/list", null, expected),
            ("gateway /virtual/list50/mcp (pageSize 100)", () => new BenchClient(http, $"{fleet.GatewayUrl}/virtual/list50/mcp", options.Protocol), expected),
            ("gateway /virtual/onepage/mcp (pageSize 1000)", () => new BenchClient(http, $"{fleet.GatewayUrl}/virtual/onepage/mcp", options.Protocol), expected),
            ($"gateway /mcp (all {options.Servers + 2} servers, http and stdio too)", () => new BenchClient(http, $"{fleet.GatewayUrl}/mcp", options.Protocol), expected + (2 * options.ToolsPerServer)),
        };
        if (fleet.Hub50 is { } hub)
        {
            list.Add(($"mcp-hub ({options.Servers} servers over Streamable HTTP, SSE)", () => new SseBenchClient(http, hub.Endpoint, options.Protocol), expected));
        }

        var warmOps = new List<(string Name, Func<Task> Op)>();
        var coldOps = new List<(string Name, Func<Task> Op)>();
        var warmSessions = new List<IBenchSession>();
        try
        {
            foreach (var (name, open, tools) in list)
            {
                if (open is null)
                {
                    await Task.WhenAll(directs.Select(d => d.InitializeAsync(cancellationToken)));
                    warmOps.Add((name, () => DirectListAsync(directs, expected, cancellationToken)));
                    coldOps.Add((name, async () =>
                    {
                        var cold = Enumerable.Range(0, options.Servers).Select(i => (IBenchSession)new BenchClient(http, $"{fleet.EchoHttpUrl}/s{i}/mcp", options.Protocol)).ToList();
                        await Task.WhenAll(cold.Select(c => c.InitializeAsync(cancellationToken)));
                        await DirectListAsync(cold, expected, cancellationToken);
                        await CloseSessionsAsync(cold); // timed too: every path closes its session in the cold case
                    }));
                    continue;
                }

                try
                {
                    var session = open();
                    await session.InitializeAsync(cancellationToken);
                    await ExpectToolsAsync(session, tools, cancellationToken);
                    warmSessions.Add(session);
                    warmOps.Add((name, () => ExpectToolsAsync(session, tools, cancellationToken)));
                    coldOps.Add((name, async () =>
                    {
                        var cold = open();
                        await cold.InitializeAsync(cancellationToken);
                        await ExpectToolsAsync(cold, tools, cancellationToken);
                        await cold.CloseAsync(cancellationToken);
                    }));
                }
                catch (Exception ex) when (name.StartsWith("mcp-hub", StringComparison.Ordinal) && ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException or JsonException)
                {
                    output.WriteLine($"**{name} left out: {ex.Message}**");
                    output.WriteLine();
                }
            }

            var warm = await InterleavedAsync(warmOps, options.ListWarm, options.Rounds, TimeSpan.Zero, cancellationToken);
            var cold = await InterleavedAsync(coldOps, options.ListCold, Math.Min(options.Rounds, options.ListCold), TimeSpan.Zero, cancellationToken);
            output.WriteLine("| path | case | n | errors | p50 ms | p90 ms | p99 ms | lists/s | p50 ÷ direct | p50 ÷ mcp-hub |");
            output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (label, results) in new[] { ("warm (same session)", warm), ("cold (new session: initialize, drain, close)", cold) })
            {
                var direct = results.FirstOrDefault(r => r.Path.StartsWith("direct", StringComparison.Ordinal));
                var peer = results.FirstOrDefault(r => r.Path.StartsWith("mcp-hub", StringComparison.Ordinal));
                foreach (var r in results)
                {
                    var m = r.Measurement;
                    output.WriteLine($"| {r.Path} | {label} | {m.Count} | {r.Errors} | {Measurement.Ms(m.P50)} | {Measurement.Ms(m.P90)} | {Measurement.Ms(m.P99)} | " +
                                     $"{m.PerSecond:0.0} | {Ratio(m.P50, direct?.Measurement.P50)} | {Ratio(m.P50, peer?.Measurement.P50)} |");
                }

                foreach (var r in results.Where(r => r.FirstError is not null))
                {
                    output.WriteLine($"- errors on {r.Path} ({label}): {r.Errors}, first: {r.FirstError}");
                }
            }
        }
        finally
        {
            await CloseSessionsAsync(warmSessions);
            await CloseSessionsAsync(directs);
        }
    }

    private static async Task DirectListAsync(List<IBenchSession> sessions, int expected, CancellationToken cancellationToken)
    {
        var counts = await Task.WhenAll(sessions.Select(s => s.CountToolsAsync(cancellationToken)));
        if (counts.Sum() != expected)
        {
            throw new InvalidOperationException($"direct lists gave {counts.Sum()} tools, expected {expected}");
        }
    }

    private static async Task ExpectToolsAsync(IBenchSession session, int expected, CancellationToken cancellationToken)
    {
        var count = await session.CountToolsAsync(cancellationToken);
        if (count != expected)
        {
            throw new InvalidOperationException($"{session.Endpoint}: {count} tools, expected {expected}");
        }
    }

    // ---- session setup ----

    private static async Task SetupWorkloadAsync(List<BenchPath> paths, CompareOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine($"## session setup (initialize + notifications/initialized + close), one at a time, {options.SetupSeconds:0.#} s per path in {options.Rounds} rounds");
        output.WriteLine();
        var ops = paths.Select(p => (p.Name, (Func<Task>)(async () =>
        {
            var session = p.Open();
            try
            {
                await session.InitializeAsync(cancellationToken);
            }
            finally
            {
                await session.CloseAsync(cancellationToken);
            }
        }))).ToList();

        // Warm-up: a few sessions per path, so the first one's JIT and connection setup are not counted.
        await InterleavedAsync(ops, 3, 1, TimeSpan.Zero, cancellationToken);
        var results = await InterleavedAsync(ops, int.MaxValue, options.Rounds, TimeSpan.FromSeconds(options.SetupSeconds / options.Rounds), cancellationToken);
        var bestPeer = results.Where(r => Kind(paths, r.Path) == "peer" && r.Measurement.Count > 0).MaxBy(r => r.Measurement.PerSecond);
        output.WriteLine("| path | sessions | errors | sessions/s | p50 ms | p99 ms | ÷ direct | ÷ best peer |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var direct = results.FirstOrDefault(d => d.Path == paths.First(p => p.Name == r.Path).Direct);
            var m = r.Measurement;
            output.WriteLine($"| {r.Path} | {m.Count} | {r.Errors} | {m.PerSecond:0.0} | {Measurement.Ms(m.P50)} | {Measurement.Ms(m.P99)} | " +
                             $"{Ratio(m.PerSecond, direct?.Measurement.PerSecond)} | {Ratio(m.PerSecond, bestPeer?.Measurement.PerSecond)} |");
        }

        output.WriteLine();
        output.WriteLine($"best peer: {bestPeer?.Path ?? "none"}. A stdio session starts an echo-stdio process (direct, gateway /servers/stdio and /mcp, " +
                         "supergateway, mcp-proxy); mcp-hub keeps one upstream connection for all clients. ÷ = sessions/s ratio.");
        foreach (var r in results.Where(r => r.FirstError is not null))
        {
            output.WriteLine($"- errors on {r.Path}: {r.Errors}, first: {r.FirstError}");
        }
    }

    // ---- memory ----

    private static async Task MemoryWorkloadAsync(BenchFleet fleet, HttpClient http, List<BenchPath> paths, long gatewayIdleRss, CompareOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        // A fresh gateway: the heap grown by the other workloads (server GC) would hide what sessions cost.
        var rssAfterWorkloads = ProcStats.RssBytes(fleet.Gateway.Id);
        var cpuAfterWorkloads = ProcStats.CpuSeconds(fleet.Gateway.Id);
        await fleet.RestartGatewayAsync(cancellationToken);
        var restartedIdleRss = ProcStats.RssBytes(fleet.Gateway.Id);
        output.WriteLine();
        output.WriteLine($"## memory: {options.PeerSessions} idle sessions in front of echo-stdio (front RSS from /proc/<pid>/status; tree = the front process and its descendants, PSS from smaps_rollup so shared pages count once)");
        output.WriteLine();
        output.WriteLine("| front | sessions | errors | front RSS MB before → after | tree PSS MB after (processes) | + MB/session (tree PSS) | + MB/session (front RSS) | open s | tree ÷ direct | tree ÷ best peer |");
        output.WriteLine("|---|---:|---:|---|---|---:|---:|---:|---:|---:|");
        var rows = new List<(string Name, string Kind, int Sessions, int Errors, long FrontBefore, long FrontAfter, long TreeBefore, long TreeAfter, int Processes, double OpenSeconds)>();
        foreach (var path in paths.Where(p => p.Direct.StartsWith("direct stdio", StringComparison.Ordinal) && p.Name != "gateway /mcp (aggregate)"))
        {
            var front = path.FrontProcess();
            var frontBefore = front > 0 ? ProcStats.RssBytes(front) : 0;
            var treeBefore = front > 0 ? ProcStats.TreePssBytes(front) : 0;
            var clock = Stopwatch.StartNew();
            var (sessions, errors) = await OpenManyAsync(path, options.PeerSessions, parallelism: 8, cancellationToken);
            clock.Stop();
            try
            {
                long frontAfter, treeAfter;
                int processes;
                if (front > 0)
                {
                    frontAfter = ProcStats.RssBytes(front);
                    var descendants = ProcStats.Descendants(front);
                    treeAfter = ProcStats.PssBytes(front) + descendants.Sum(ProcStats.PssBytes);
                    processes = descendants.Count + 1;
                }
                else
                {
                    var children = sessions.OfType<StdioBenchClient>().Select(s => s.ProcessId ?? 0).Where(id => id > 0).ToList();
                    frontAfter = 0;
                    treeAfter = children.Sum(ProcStats.PssBytes);
                    processes = children.Count;
                }

                rows.Add((path.Name, path.Kind, sessions.Count, errors, frontBefore, frontAfter, treeBefore, treeAfter, processes, clock.Elapsed.TotalSeconds));
            }
            finally
            {
                await CloseSessionsAsync(sessions);
            }
        }

        // Ratios of the whole tree's memory with the sessions open (not of the increments, which are near zero for
        // fronts that share one upstream process among all sessions).
        var directRow = rows.FirstOrDefault(r => r.Kind == "direct");
        var bestPeerRow = rows.Where(r => r.Kind == "peer" && r.Sessions > 0).OrderBy(r => r.TreeAfter).FirstOrDefault();
        foreach (var r in rows)
        {
            var perSession = r.Sessions == 0 ? 0 : (double)(r.TreeAfter - r.TreeBefore) / r.Sessions;
            var frontPerSession = r.Sessions == 0 ? 0 : (double)(r.FrontAfter - r.FrontBefore) / r.Sessions;
            output.WriteLine($"| {r.Name} | {r.Sessions} | {r.Errors} | {(r.Kind == "direct" ? "—" : $"{Mb(r.FrontBefore)} → {Mb(r.FrontAfter)}")} | {Mb(r.TreeAfter)} ({r.Processes}) | " +
                             $"{perSession / 1048576:0.00} | {(r.Kind == "direct" ? "—" : $"{frontPerSession / 1048576:0.00}")} | {r.OpenSeconds:0.0} | " +
                             $"{Ratio(r.TreeAfter, directRow.Sessions > 0 ? directRow.TreeAfter : null)} | {Ratio(r.TreeAfter, bestPeerRow.Sessions > 0 ? bestPeerRow.TreeAfter : null)} |");
        }

        output.WriteLine();
        output.WriteLine($"best peer (least tree memory with the sessions open): {(bestPeerRow.Sessions > 0 ? bestPeerRow.Name : "none")}. Ratios compare the tree PSS " +
                         "with the sessions open. Whether a front starts one echo-stdio per session shows in the process count.");

        // The gateway alone, many idle sessions on /servers/http/mcp (each also holds an upstream session on echo-http).
        output.WriteLine();
        output.WriteLine("## memory: gateway idle sessions on /servers/http/mcp (each holds one upstream session on echo-http; gateway restarted before the memory workload)");
        output.WriteLine();
        output.WriteLine("| gateway sessions | errors | gateway RSS MB | + KB/session (vs before) | gateway CPU s (total so far) | echo-http RSS MB | open rate sessions/s |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        output.WriteLine($"| 0 (first start, idle) | 0 | {Mb(gatewayIdleRss)} | | | | |");
        output.WriteLine($"| 0 (first start, after the call, list and setup workloads) | 0 | {Mb(rssAfterWorkloads)} | | {cpuAfterWorkloads:0.0} | | |");
        output.WriteLine($"| 0 (restarted, idle) | 0 | {Mb(restartedIdleRss)} | | | | |");
        var before = ProcStats.RssBytes(fleet.Gateway.Id);
        output.WriteLine($"| 0 (restarted, after the {options.PeerSessions} stdio sessions above were closed) | 0 | {Mb(before)} | | {ProcStats.CpuSeconds(fleet.Gateway.Id):0.0} | {Mb(ProcStats.RssBytes(fleet.EchoHttp.Id))} | |");
        var held = new List<IBenchSession>();
        var totalErrors = 0;
        var httpPath = paths.First(p => p.Name == "gateway /servers/http/mcp");
        foreach (var target in options.IdleSessions)
        {
            var clock = Stopwatch.StartNew();
            var (opened, errors) = await OpenManyAsync(httpPath, target - held.Count, parallelism: 16, cancellationToken);
            clock.Stop();
            held.AddRange(opened);
            totalErrors += errors;
            var rss = ProcStats.RssBytes(fleet.Gateway.Id);
            output.WriteLine($"| {held.Count:#,0} | {totalErrors} | {Mb(rss)} | {(rss - before) / 1024.0 / Math.Max(1, held.Count):0.0} | {ProcStats.CpuSeconds(fleet.Gateway.Id):0.0} | " +
                             $"{Mb(ProcStats.RssBytes(fleet.EchoHttp.Id))} | {opened.Count / clock.Elapsed.TotalSeconds:0} |");
        }

        // The sessions are left to the gateway's shutdown (closing 10,000 one by one would only add run time).
        output.WriteLine();
        output.WriteLine($"Peers (and the gateway's stdio passthrough) were measured at {options.PeerSessions} sessions (--peer-sessions): a front that " +
                         "starts one echo-stdio process per session (~30 MB RSS each) cannot hold 10,000 on this machine.");
    }

    // ---- measuring ----

    private static async Task<List<IBenchSession>> OpenSessionsAsync(BenchPath path, int count, int parallelism, CancellationToken cancellationToken)
    {
        var (sessions, errors) = await OpenManyAsync(path, count, parallelism, cancellationToken);
        if (errors > 0)
        {
            await CloseSessionsAsync(sessions);
            throw new InvalidOperationException($"{errors} of {count} sessions failed to open");
        }

        return sessions;
    }

    /// <summary>Opens <paramref name="count"/> sessions, <paramref name="parallelism"/> at a time; counts failures.</summary>
    private static async Task<(List<IBenchSession> Sessions, int Errors)> OpenManyAsync(BenchPath path, int count, int parallelism, CancellationToken cancellationToken)
    {
        var sessions = new List<IBenchSession>();
        var errors = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(0, count)), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (_, ct) =>
        {
            var session = path.Open();
            try
            {
                await session.InitializeAsync(ct);
                lock (sessions)
                {
                    sessions.Add(session);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException or JsonException)
            {
                Interlocked.Increment(ref errors);
                await session.CloseAsync(CancellationToken.None);
            }
        });
        return (sessions, errors);
    }

    private static async Task CloseSessionsAsync(IReadOnlyList<IBenchSession> sessions) =>
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (session, _) =>
        {
            try
            {
                await session.CloseAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException)
            {
                // closing is best effort; the processes are stopped at the end anyway
            }
        });

    private sealed record Block(List<double> Latencies, TimeSpan Elapsed, int Errors, string? FirstError);

    /// <summary>
    /// Every worker runs its operation <paramref name="iterations"/> times (and at least for <paramref name="minimum"/>,
    /// at most for <paramref name="maximum"/>, so a slow path does not stretch the run), all at once; every operation
    /// is timed, failures are counted, not thrown.
    /// </summary>
    private static async Task<Block> BlockAsync(List<Func<Task>> workers, int iterations, TimeSpan minimum, TimeSpan maximum, CancellationToken cancellationToken)
    {
        var latencies = new List<double>[workers.Count];
        var errors = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(workers.Select((op, w) => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(iterations);
            for (var i = 0; (i < iterations || clock.Elapsed < minimum) && clock.Elapsed < maximum; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await op();
                    mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException or JsonException or KeyNotFoundException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }
            }
        }, cancellationToken)));
        clock.Stop();
        return new Block([.. latencies.SelectMany(l => l)], clock.Elapsed, errors, firstError);
    }

    /// <summary>
    /// One operation at a time per path, the paths taking turns in <paramref name="rounds"/> rounds (rotating the
    /// order); each turn runs <paramref name="iterations"/>/rounds operations, or for <paramref name="turn"/> when set.
    /// </summary>
    private static async Task<List<Result>> InterleavedAsync(List<(string Name, Func<Task> Op)> ops, int iterations, int rounds, TimeSpan turn, CancellationToken cancellationToken)
    {
        var latencies = ops.Select(_ => new List<double>()).ToArray();
        var elapsed = new TimeSpan[ops.Count];
        var errors = new int[ops.Count];
        var firstErrors = new string?[ops.Count];
        var perTurn = turn > TimeSpan.Zero ? int.MaxValue : Math.Max(1, iterations / rounds);
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < ops.Count; k++)
            {
                var p = (round + k) % ops.Count;
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < perTurn && (turn == TimeSpan.Zero || clock.Elapsed < turn); i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        await ops[p].Op();
                        latencies[p].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TimeoutException or JsonException or KeyNotFoundException)
                    {
                        errors[p]++;
                        firstErrors[p] ??= ex.Message;
                    }
                }

                elapsed[p] += clock.Elapsed;
            }
        }

        return [.. ops.Select((o, p) => new Result(o.Name, 1, new Measurement(o.Name, 1, latencies[p], elapsed[p], []), errors[p], firstErrors[p], 0))];
    }

    // ---- printing ----

    private static string Kind(List<BenchPath> paths, string name) => paths.FirstOrDefault(p => p.Name == name)?.Kind ?? string.Empty;

    private static string Ratio(double value, double? reference) => reference is > 0
        ? (value / reference.Value).ToString(value / reference.Value < 0.1 ? "0.000×" : "0.00×", System.Globalization.CultureInfo.InvariantCulture)
        : "—";

    private static string Plus(double value, double? reference) => reference is null ? "—" : Measurement.Ms(value - reference.Value);

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static void PrintMachine(TextWriter output, CompareOptions options)
    {
        output.WriteLine("# mcp-gateway benchmark: direct vs gateway vs peers, every server in its own process");
        output.WriteLine();
        output.WriteLine($"- cpu: {BenchRun.ReadCpuModel()} x {Environment.ProcessorCount} (nproc)");
        output.WriteLine($"- memory: {BenchRun.ReadMemTotal()}");
        output.WriteLine($"- os: {BenchRun.ReadOsName()} ({RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture})");
        output.WriteLine($"- runtime: {RuntimeInformation.FrameworkDescription}; build: {BenchRun.BuildConfiguration}");
        output.WriteLine($"- load average at start (1/5/15 min): {BenchRun.LoadAverage()} — other processes on the machine skew every number");
        var args = Environment.GetCommandLineArgs().Skip(1).ToList();
        output.WriteLine($"- command: `dotnet run -c Release --project bench/McpGateway.Bench{(args.Count > 0 ? " -- " + string.Join(' ', args) : string.Empty)}`");
        output.WriteLine($"- workloads: {string.Join(", ", options.Workloads.Order())}; concurrency {string.Join(',', options.Concurrency)}; calls {options.Calls} (c=1) / " +
                         $"{options.ConcurrentCalls} (c>1) per path; rounds {options.Rounds}; client protocol {options.Protocol}");
    }

    private static void PrintFleet(TextWriter output, BenchFleet fleet, List<BenchPath> paths)
    {
        output.WriteLine($"- echo-http: {fleet.EchoHttpUrl}/mcp (pid {fleet.EchoHttp.Id}); echo-stdio command: `{fleet.StdioCommandLine}`");
        output.WriteLine($"- gateway (pid {fleet.Gateway.Id}): `{fleet.GatewayCommandLine}`");
        foreach (var (name, (process, endpoint)) in fleet.Peers)
        {
            output.WriteLine($"- {name} (pid {process.Id}): {endpoint}");
        }

        if (fleet.Hub50 is { } hub)
        {
            output.WriteLine($"- mcp-hub with the list servers (pid {hub.Process.Id}): {hub.Endpoint}");
        }

        output.WriteLine($"- paths: {string.Join("; ", paths.Select(p => p.Name))}");
        output.WriteLine();
    }
}
