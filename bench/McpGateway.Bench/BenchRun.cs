using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using McpGateway.Configuration;
using McpGateway.Hosting;

namespace McpGateway.Bench;

/// <summary>Starts the fake upstreams and the gateway in this process, runs the measurements, prints markdown tables.</summary>
internal static class BenchRun
{
    /// <summary>Warm-up lasts at least this long, so tiered JIT has promoted the hot path before measuring.</summary>
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(BenchOptions options, TextWriter output)
    {
        var started = Stopwatch.StartNew();
        PrintMachine(output, options, Environment.GetCommandLineArgs().Skip(1));

        await using var upstreams = await FakeUpstreams.StartAsync(options.Servers, options.ToolsPerServer);
        var load = GatewayConfigLoader.LoadText(BuildConfig(options, upstreams), "bench.yaml");
        foreach (var warning in load.Warnings)
        {
            output.WriteLine($"config warning: {warning}");
        }

        if (load.Config is not { } config)
        {
            throw new InvalidOperationException("bench config rejected: " + string.Join("; ", load.Errors));
        }

        await using var gateway = GatewayApp.Build(config, "http://127.0.0.1:0", logging =>
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
            logging.SetMinimumLevel(LogLevel.Warning);
        });
        await gateway.StartAsync();
        var gatewayUrl = GatewayApp.BoundAddresses(gateway)[0].TrimEnd('/');
        using var http = BenchClient.CreateHttpClient();
        if (options.Policy == "full")
        {
            await AuthenticateAsync(http, gatewayUrl);
        }

        output.WriteLine($"policy chain: {options.Policy}");

        var targets = new Targets(
            Direct: upstreams.Endpoint(0),
            Passthrough: $"{gatewayUrl}/servers/s0/mcp",
            Aggregate: $"{gatewayUrl}/mcp",
            OnePage: $"{gatewayUrl}/virtual/onepage/mcp");
        output.WriteLine($"upstreams: {options.Servers} fake servers x {options.ToolsPerServer} tools at {upstreams.BaseUrl}/s{{i}}/mcp " +
                         $"(tools/list result {Measurement.Kb(upstreams.ToolsListBytes(0))} KB per server); gateway at {gatewayUrl}; " +
                         $"client protocol {options.Protocol}");
        await SanityCheckAsync(http, targets, options, output);

        if (options.RunList)
        {
            await ListBenchmarksAsync(http, targets, upstreams, options, output);
        }

        if (options.RunCall)
        {
            await CallBenchmarksAsync(http, targets, upstreams, options, output);
        }

        output.WriteLine();
        output.WriteLine($"total run time {started.Elapsed.TotalSeconds:0.0} s; fake upstream saw {Measurement.N0(upstreams.Requests)} requests, " +
                         $"{Measurement.N0(upstreams.Initializes)} initializes, {upstreams.LiveSessions} sessions still open; load average now {LoadAverage()}");
        await gateway.StopAsync();
    }

    private const string AdminToken = "bench-admin-token-0123456789";

    /// <summary>With authentication on, every bench request carries an API key made through the admin API.</summary>
    private static async Task AuthenticateAsync(HttpClient http, string gatewayUrl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gatewayUrl}/api/v1/api-keys")
        {
            Content = new StringContent("""{"name":"bench","tenant":"bench"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating the bench API key failed: {(int)response.StatusCode} {body}");
        }

        var key = System.Text.Json.Nodes.JsonNode.Parse(body)!["key"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
    }

    private sealed record Targets(string Direct, string Passthrough, string Aggregate, string OnePage);

    private static string BuildConfig(BenchOptions options, FakeUpstreams upstreams)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("gateway:");
        yaml.AppendLine("  listen: http://127.0.0.1:0");
        yaml.AppendLine($"  pageSize: {options.PageSize}");
        yaml.AppendLine($"  adminToken: {AdminToken}");
        yaml.AppendLine($"audit: {{ enabled: {(options.Audit && options.Policy != "bare" ? "true" : "false")} }}");
        var perServer = string.Empty;
        if (options.Policy == "bare")
        {
            yaml.AppendLine("guardrails: { validateArguments: false, pinTools: false }");
            perServer = "    retries: false\n    circuitBreaker: false\n";
        }
        else if (options.Policy == "full")
        {
            yaml.AppendLine("auth: { apiKeys: true }");
            yaml.AppendLine("authorization: { policies: [ { name: bench, match: {}, servers: [\"*\"], virtualServers: [\"*\"] } ] }");
            yaml.AppendLine("limits:");
            yaml.AppendLine("  - { name: per-user, per: principal, rate: 1000000/s }");
            yaml.AppendLine("  - { name: tenant-day, per: tenant, daily: 1000000000 }");
            perServer = "    concurrency: { max: 1000, queue: 1000 }\n";
        }

        // A fresh store per run: records and pins of earlier runs would only slow this one down.
        yaml.AppendLine($"storage: {{ provider: sqlite, path: '{Path.Combine(Path.GetTempPath(), $"mcpgw-bench-{Environment.ProcessId}.db")}' }}");
        yaml.AppendLine("mcpServers:");
        for (var i = 0; i < options.Servers; i++)
        {
            yaml.AppendLine($"  s{i}:");
            yaml.AppendLine($"    url: {upstreams.Endpoint(i)}");
            yaml.AppendLine("    transport: streamable-http");
            yaml.Append(perServer);
        }

        yaml.AppendLine("virtualServers:");
        yaml.AppendLine("  onepage:");
        yaml.AppendLine("    description: every server, the whole tools/list on one page");
        yaml.AppendLine("    pageSize: 1000");
        return yaml.ToString();
    }

    /// <summary>Every path answers correctly before anything is timed (and the JIT has seen each once).</summary>
    private static async Task SanityCheckAsync(HttpClient http, Targets targets, BenchOptions options, TextWriter output)
    {
        var expected = options.Servers * options.ToolsPerServer;
        foreach (var (endpoint, tool, tools) in new[]
                 {
                     (targets.Direct, "echo", options.ToolsPerServer),
                     (targets.Passthrough, "echo", options.ToolsPerServer),
                     (targets.Aggregate, "s0__echo", expected),
                     (targets.OnePage, $"s{options.Servers - 1}__echo", expected),
                 })
        {
            var client = new BenchClient(http, endpoint, options.Protocol);
            await client.InitializeAsync();
            var (count, _) = await client.ListAllToolsAsync();
            if (count != tools)
            {
                throw new InvalidOperationException($"{endpoint}: tools/list gave {count} tools, expected {tools}");
            }

            await client.CallEchoAsync(tool, "hello");
            await client.CloseAsync();
        }

        output.WriteLine($"sanity check passed: /mcp lists {expected} tools; echo answers on every path");
    }

    // ---- tools/list ----

    private static async Task ListBenchmarksAsync(HttpClient http, Targets targets, FakeUpstreams upstreams, BenchOptions options, TextWriter output)
    {
        var expected = options.Servers * options.ToolsPerServer;
        output.WriteLine();
        output.WriteLine($"## tools/list on /mcp ({options.Servers} servers x {options.ToolsPerServer} tools = {expected} tools, pageSize {options.PageSize})");
        output.WriteLine();

        // Cold: a new client session each time. initialize connects every member (one upstream session each); the
        // first tools/list fetches every member's list and merges them; the other pages come from the merged copy.
        var init = new List<double>();
        var firstPage = new List<double>();
        var drain = new List<double>();
        var total = new List<double>();
        var initCost = new List<(int, ProcessCost)>();
        var drainCost = new List<(int, ProcessCost)>();
        var firstCost = new List<(int, ProcessCost)>();
        var totalCost = new List<(int, ProcessCost)>();
        var initializesBefore = upstreams.Initializes;
        var upstreamListsBefore = upstreams.Requests;
        var pages = 0;
        for (var i = 0; i < options.ColdIterations; i++)
        {
            var client = new BenchClient(http, targets.Aggregate, options.Protocol);
            Settle();
            var c0 = ProcessCost.Now();
            var t0 = Stopwatch.GetTimestamp();
            await client.InitializeAsync();
            var t1 = Stopwatch.GetTimestamp();
            var c1 = ProcessCost.Now();
            var t1b = Stopwatch.GetTimestamp();
            var count = 0;
            var tFirst = 0L;
            var cFirst = default(ProcessCost);
            pages = 0;
            string? cursor = null;
            do
            {
                using var page = await client.RequestAsync("tools/list", cursor is null ? "{}" : $$"""{"cursor":"{{cursor}}"}""");
                var result = page.RootElement.GetProperty("result"u8);
                count += result.GetProperty("tools"u8).GetArrayLength();
                cursor = result.TryGetProperty("nextCursor"u8, out var next) ? next.GetString() : null;
                if (pages++ == 0)
                {
                    tFirst = Stopwatch.GetTimestamp();
                    cFirst = ProcessCost.Now();
                }
            }
            while (!string.IsNullOrEmpty(cursor));

            var t3 = Stopwatch.GetTimestamp();
            var c3 = ProcessCost.Now();
            if (count != expected)
            {
                throw new InvalidOperationException($"cold list {i}: {count} tools, expected {expected}");
            }

            init.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            firstPage.Add(Stopwatch.GetElapsedTime(t1b, tFirst).TotalMilliseconds);
            drain.Add(Stopwatch.GetElapsedTime(t1b, t3).TotalMilliseconds);
            total.Add(init[^1] + drain[^1]);
            initCost.Add((1, c1 - c0));
            firstCost.Add((1, cFirst - c1));
            drainCost.Add((1, c3 - c1));
            totalCost.Add((1, c3 - c0));
            await client.CloseAsync();
        }

        var perSession = (double)(upstreams.Initializes - initializesBefore) / options.ColdIterations;
        var upstreamRequests = (double)(upstreams.Requests - upstreamListsBefore) / options.ColdIterations;
        var rows = new List<Measurement>
        {
            new($"cold: initialize (opens {perSession:0} upstream sessions)", 1, init, TimeSpan.FromMilliseconds(init.Sum()), initCost),
            new($"cold: first tools/list page ({options.Servers} upstream tools/list + merge)", 1, firstPage, TimeSpan.FromMilliseconds(firstPage.Sum()), firstCost),
            new($"cold: drain all {pages} pages (first included)", 1, drain, TimeSpan.FromMilliseconds(drain.Sum()), drainCost),
            new("cold: initialize + drain (whole cold list)", 1, total, TimeSpan.FromMilliseconds(total.Sum()), totalCost),
        };
        output.WriteLine($"cold sessions: {upstreamRequests:0} upstream POSTs each (initialize, notifications/initialized, tools/list per member), plus one GET per member (answered 405)");
        output.WriteLine();

        // Warm: the same session lists again and again; everything comes from this session's merged catalog.
        var aggregate = new BenchClient(http, targets.Aggregate, options.Protocol);
        await aggregate.InitializeAsync();
        rows.Add(await MeasureAsync($"warm: full drain of {expected} tools", [() => ListAllAsync(aggregate, expected)], options.Warmup / 10, options.WarmIterations));
        rows.Add(await MeasureAsync($"warm: one page ({Math.Min(options.PageSize, expected)} tools)", [async () =>
        {
            using var page = await aggregate.RequestAsync("tools/list", "{}");
        }], options.Warmup, options.WarmIterations));
        await aggregate.CloseAsync();

        var onePage = new BenchClient(http, targets.OnePage, options.Protocol);
        await onePage.InitializeAsync();
        rows.Add(await MeasureAsync($"warm: /virtual/onepage/mcp (pageSize 1000), full drain", [() => ListAllAsync(onePage, expected)], options.Warmup / 10, options.WarmIterations));
        await onePage.CloseAsync();

        foreach (var (name, endpoint) in new[] { ("passthrough /servers/s0/mcp", targets.Passthrough), ("direct /s0/mcp", targets.Direct) })
        {
            var client = new BenchClient(http, endpoint, options.Protocol);
            await client.InitializeAsync();
            rows.Add(await MeasureAsync($"warm: {name} ({options.ToolsPerServer} tools)", [() => ListAllAsync(client, options.ToolsPerServer)], options.Warmup, options.WarmIterations));
            await client.CloseAsync();
        }

        PrintTable(output, rows, withThroughput: false);
    }

    private static async Task ListAllAsync(BenchClient client, int expected)
    {
        var (count, _) = await client.ListAllToolsAsync();
        if (count != expected)
        {
            throw new InvalidOperationException($"{client.Endpoint}: {count} tools, expected {expected}");
        }
    }

    // ---- tools/call ----

    private static async Task CallBenchmarksAsync(HttpClient http, Targets targets, FakeUpstreams upstreams, BenchOptions options, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"## tools/call echo (one small text argument), the three paths interleaved in {options.Rounds} rounds");
        output.WriteLine();
        var rows = new List<Measurement>();
        var added = new List<string>();
        string[] names = ["direct /s0/mcp", "passthrough /servers/s0/mcp", "aggregate /mcp"];
        foreach (var concurrency in options.Concurrency)
        {
            var calls = concurrency == 1 ? options.Calls : options.ConcurrentCalls;
            var perBlock = Math.Max(1, calls / options.Rounds / concurrency);

            // One client session per worker, as separate agents would have.
            var paths = new List<(string Name, List<BenchClient> Clients, List<Func<Task>> Workers)>();
            foreach (var (name, endpoint, tool) in new[]
                     {
                         (names[0], targets.Direct, "echo"),
                         (names[1], targets.Passthrough, "echo"),
                         (names[2], targets.Aggregate, "s0__echo"),
                     })
            {
                var clients = new List<BenchClient>();
                for (var w = 0; w < concurrency; w++)
                {
                    var client = new BenchClient(http, endpoint, options.Protocol);
                    await client.InitializeAsync();
                    clients.Add(client);
                }

                paths.Add((name, clients, [.. clients.Select(c => (Func<Task>)(() => c.CallEchoAsync(tool, "hello from the bench")))]));
            }

            foreach (var path in paths)
            {
                await WarmAsync(path.Workers, Math.Max(1, options.Warmup / concurrency));
            }

            // Rounds rotate the order, so that noise from other processes and GCs falls on every path alike.
            var results = paths.Select(_ => (Latencies: new List<double>(), Elapsed: TimeSpan.Zero, Blocks: new List<(int, ProcessCost)>())).ToArray();
            var upstreamBefore = upstreams.Requests;
            Settle();
            for (var round = 0; round < options.Rounds; round++)
            {
                for (var k = 0; k < paths.Count; k++)
                {
                    var p = (round + k) % paths.Count;
                    var (latencies, elapsed, cost) = await BlockAsync(paths[p].Workers, perBlock);
                    results[p].Latencies.AddRange(latencies);
                    results[p].Elapsed += elapsed;
                    results[p].Blocks.Add((perBlock * concurrency, cost));
                }
            }

            var upstreamPerCall = (double)(upstreams.Requests - upstreamBefore) / (perBlock * concurrency * options.Rounds * paths.Count);
            var byName = new Dictionary<string, Measurement>();
            for (var p = 0; p < paths.Count; p++)
            {
                var m = new Measurement(paths[p].Name, concurrency, results[p].Latencies, results[p].Elapsed, results[p].Blocks);
                rows.Add(m);
                byName[m.Name] = m;
                foreach (var client in paths[p].Clients)
                {
                    await client.CloseAsync();
                }
            }

            if (Math.Abs(upstreamPerCall - 1) > 0.01)
            {
                output.WriteLine($"note: {upstreamPerCall:0.00} upstream POSTs per call at concurrency {concurrency} (expected 1)");
            }

            var direct = byName[names[0]];
            foreach (var via in names.Skip(1))
            {
                var m = byName[via];
                added.Add($"| {via} | {concurrency} | {Measurement.Ms(m.P50 - direct.P50)} | {Measurement.Ms(m.P90 - direct.P90)} | " +
                          $"{Measurement.Ms(m.P99 - direct.P99)} | {Measurement.Ms(m.Mean - direct.Mean)} | {m.PerSecond / direct.PerSecond:P0} | " +
                          $"{Measurement.Kb(m.BytesPerOp - direct.BytesPerOp)} | {m.CpuMicrosPerOp - direct.CpuMicrosPerOp:0} | {m.WorkItemsPerOp - direct.WorkItemsPerOp:0.0} |");
            }
        }

        PrintTable(output, rows, withThroughput: true);
        output.WriteLine();
        output.WriteLine("### gateway-added (via gateway minus direct, same run; percentiles subtracted, not per-call differences)");
        output.WriteLine();
        output.WriteLine("| path | conc | +p50 ms | +p90 ms | +p99 ms | +mean ms | throughput vs direct | +alloc KB/call | +CPU µs/call | +TP items/call |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var line in added)
        {
            output.WriteLine(line);
        }
    }

    // ---- measuring ----

    /// <summary>
    /// Warms up, then runs each worker's operation <paramref name="iterations"/> times, all workers at once, timing
    /// every operation.
    /// </summary>
    private static async Task<Measurement> MeasureAsync(string name, IReadOnlyList<Func<Task>> workers, int warmup, int iterations)
    {
        await WarmAsync(workers, warmup);
        Settle();
        var latencies = new List<double>();
        var elapsed = TimeSpan.Zero;
        var blocks = new List<(int, ProcessCost)>();
        for (var done = 0; done < iterations;)
        {
            var n = Math.Min(Math.Max(1, iterations / 10), iterations - done);
            var block = await BlockAsync(workers, n);
            latencies.AddRange(block.Latencies);
            elapsed += block.Elapsed;
            blocks.Add((n * workers.Count, block.Cost));
            done += n;
        }

        return new Measurement(name, workers.Count, latencies, elapsed, blocks);
    }

    /// <summary>Each worker runs its operation <paramref name="warmup"/> times, and all keep going for at least <see cref="MinimumWarmup"/>.</summary>
    private static async Task WarmAsync(IReadOnlyList<Func<Task>> workers, int warmup)
    {
        var warming = Stopwatch.StartNew();
        await Task.WhenAll(workers.Select(op => Task.Run(async () =>
        {
            for (var i = 0; i < warmup || warming.Elapsed < MinimumWarmup; i++)
            {
                await op();
            }
        })));
    }

    /// <summary>Every worker runs its operation <paramref name="iterations"/> times, all at once; every operation is timed.</summary>
    private static async Task<(IEnumerable<double> Latencies, TimeSpan Elapsed, ProcessCost Cost)> BlockAsync(IReadOnlyList<Func<Task>> workers, int iterations)
    {
        var latencies = new double[workers.Count][];
        var before = ProcessCost.Now();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(workers.Select((op, w) => Task.Run(async () =>
        {
            var mine = latencies[w] = new double[iterations];
            for (var i = 0; i < iterations; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await op();
                mine[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        })));
        clock.Stop();
        var cost = ProcessCost.Now() - before;
        return (latencies.SelectMany(l => l), clock.Elapsed, cost);
    }

    /// <summary>A full collection between runs so that one run's garbage is not collected on the next one's clock.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    // ---- printing ----

    private static void PrintTable(TextWriter output, List<Measurement> rows, bool withThroughput)
    {
        output.WriteLine(withThroughput
            ? "| path | conc | calls | p50 ms | p90 ms | p99 ms | mean ms | max ms | calls/s | alloc KB/call | CPU µs/call | TP items/call | GCs 0/1/2 |"
            : "| case | n | p50 ms | p90 ms | p99 ms | mean ms | max ms | alloc KB/op | CPU µs/op | TP items/op | GCs 0/1/2 |");
        output.WriteLine(withThroughput
            ? "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
            : "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var m in rows)
        {
            var stats = $"{Measurement.Ms(m.P50)} | {Measurement.Ms(m.P90)} | {Measurement.Ms(m.P99)} | {Measurement.Ms(m.Mean)} | {Measurement.Ms(m.Max)}";
            var cost = $"{Measurement.Kb(m.BytesPerOp)} | {m.CpuMicrosPerOp:0} | {m.WorkItemsPerOp:0.0} | {m.Cost.Gcs}";
            output.WriteLine(withThroughput
                ? $"| {m.Name} | {m.Concurrency} | {Measurement.N0(m.Count)} | {stats} | {Measurement.N0(m.PerSecond)} | {cost} |"
                : $"| {m.Name} | {m.Count} | {stats} | {cost} |");
        }
    }

    private static void PrintMachine(TextWriter output, BenchOptions options, IEnumerable<string> args)
    {
        output.WriteLine("# mcp-gateway benchmark");
        output.WriteLine();
        output.WriteLine($"- cpu: {ReadCpuModel()} x {Environment.ProcessorCount} (nproc)");
        output.WriteLine($"- memory: {ReadMemTotal()}");
        output.WriteLine($"- os: {ReadOsName()} ({RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture})");
        output.WriteLine($"- runtime: {RuntimeInformation.FrameworkDescription}; GC: {(GCSettings.IsServerGC ? "server" : "workstation")}, " +
                         $"{GCSettings.LatencyMode}; build: {BuildConfiguration}");
        output.WriteLine($"- run: `{string.Join(' ', args.DefaultIfEmpty("(no arguments)"))}` → scenario {options.Scenario}, " +
                         $"{options.Servers} servers x {options.ToolsPerServer} tools, cold {options.ColdIterations}, warm {options.WarmIterations}, " +
                         $"calls {options.Calls} (c=1) / {options.ConcurrentCalls} (c>1), warm-up {options.Warmup}, concurrency {string.Join(',', options.Concurrency)}");
        output.WriteLine($"- load average at start (1/5/15 min): {LoadAverage()} — other processes on the machine skew every number");
        output.WriteLine("- everything (bench client, gateway, fake upstreams) is in this one process on loopback: allocation, CPU and " +
                         "thread-pool work-item (TP items) figures are for the whole process, so compare them with the direct row. " +
                         "alloc is the median over the run's blocks (GC.GetTotalAllocatedBytes can jump when DATAS changes the heap count).");
        output.WriteLine();
    }

#if DEBUG
    internal const string BuildConfiguration = "Debug (numbers are not representative: use -c Release)";
#else
    internal const string BuildConfiguration = "Release";
#endif

    internal static string ReadCpuModel() =>
        ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    internal static string ReadMemTotal()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb)
            ? $"{kb / 1024.0 / 1024.0:0.0} GiB"
            : "unknown";
    }

    internal static string ReadOsName() =>
        ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? "unknown";

    internal static string LoadAverage() => string.Join(' ', (ReadLines("/proc/loadavg").FirstOrDefault() ?? "? ? ?").Split(' ').Take(3));

    internal static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
