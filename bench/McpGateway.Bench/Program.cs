using McpGateway.Bench;

// Modes: the comparative run (default: every server in its own process), `inproc` (everything in this process,
// for profiling the gateway's hot path), and the two echo servers the comparative run starts as children.
switch (args.FirstOrDefault())
{
    case "echo-http":
        return await EchoServers.RunHttpAsync(args[1..]);
    case "echo-stdio":
        return await EchoServers.RunStdioAsync();
    case "inproc":
        return await RunInProcessAsync(args[1..]);
    default:
        return await RunComparisonAsync(args);
}

static async Task<int> RunInProcessAsync(string[] args)
{
    var options = BenchOptions.Parse(args, Console.Error);
    if (options is null)
    {
        return 2;
    }

    try
    {
        await BenchRun.RunAsync(options, Console.Out);
        return 0;
    }
    catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException)
    {
        Console.Error.WriteLine($"benchmark failed: {ex}");
        return 1;
    }
}

static async Task<int> RunComparisonAsync(string[] args)
{
    var options = CompareOptions.Parse(args, Console.Error);
    if (options is null)
    {
        return 2;
    }

    return await CompareRun.RunAsync(options, Console.Out);
}
