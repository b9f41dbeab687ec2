using McpGateway.Bench;

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
