using System.Runtime.InteropServices;
using McpGateway.ConformanceServer;
using McpGateway.ConformanceServer.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.Server;

// mcp-conformance-server: the reference server for @modelcontextprotocol/conformance's server scenarios.
//
//   mcp-conformance-server --stdio
//   mcp-conformance-server --http [--urls http://127.0.0.1:0] [--idle-timeout 600] [--log-level Warning]
//
// HTTP mode serves Streamable HTTP at /mcp and prints, as its first stdout lines, one
// "Listening on http://127.0.0.1:PORT/mcp" per bound address (port 0 picks a free port). Logs go to stderr.

var parsed = CommandLine.Parse(args);
if (parsed.Error is { } error)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

if (parsed.Help)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

return parsed.Stdio ? await RunStdioAsync(parsed) : await RunHttpAsync(parsed);

static async Task<int> RunStdioAsync(CommandLine options)
{
    using var loggerFactory = LoggerFactory.Create(logging => logging
        .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(options.LogLevel));
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => stop.Cancel());

    var factory = new ConformanceServerFactory(new ConformanceResources(), loggerFactory);
    await using var transport = new StdioServerTransport(ConformanceServerFactory.ServerName, loggerFactory);
    await using var server = factory.Create(transport);
    var run = server.RunAsync(stop.Token);
    await Task.WhenAny(run, transport.MessageReader.Completion);
    if (!run.IsCompleted)
    {
        // stdin is closed and drained: a handler still waiting for the client (sampling, elicitation) never will.
        await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1)));
        await stop.CancelAsync();
    }

    try
    {
        await run;
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }

    return 0;
}

static async Task<int> RunHttpAsync(CommandLine options)
{
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
    builder.WebHost.UseUrls(options.Urls);
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(options.LogLevel);

    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddSingleton<ConformanceResources>();
    builder.Services.AddSingleton<InMemorySseEventStreamStore>();
    builder.Services.AddSingleton<HttpSessionStore>();
    builder.Services.AddSingleton(sp => new ConformanceServerFactory(
        sp.GetRequiredService<ConformanceResources>(), sp.GetRequiredService<ILoggerFactory>(), sp));
    builder.Services.AddSingleton<StreamableHttpEndpoint>();
    builder.Services.AddHostedService(sp => new IdleSessionReaper(sp.GetRequiredService<HttpSessionStore>(), options.IdleTimeout));

    await using var app = builder.Build();
    app.UseMiddleware<LoopbackOnlyMiddleware>();
    StreamableHttpEndpoint.Map(app);

    await app.StartAsync();
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    foreach (var address in addresses)
    {
        Console.Out.WriteLine($"Listening on {address.TrimEnd('/')}{StreamableHttpEndpoint.Path}");
    }

    Console.Out.Flush();
    await app.WaitForShutdownAsync();
    return 0;
}

internal sealed record CommandLine
{
    public const string Usage = """
        Usage: mcp-conformance-server (--stdio | --http [--urls URL]) [--idle-timeout SECONDS] [--log-level LEVEL]
          --stdio               serve MCP over stdin/stdout
          --http                serve Streamable HTTP at /mcp (default)
          --urls URL            Kestrel URL(s), ';'-separated (default http://127.0.0.1:0: a free port)
          --idle-timeout SECS   close HTTP sessions unused this long (default 600)
          --log-level LEVEL     Trace, Debug, Information, Warning (default), Error, None; logs go to stderr
        """;

    public bool Stdio { get; init; }
    public bool Help { get; init; }
    public string Urls { get; init; } = "http://127.0.0.1:0";
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
    public string? Error { get; init; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine();
        bool http = false;
        for (var i = 0; i < args.Count; i++)
        {
            string? Value() => i + 1 < args.Count ? args[++i] : null;
            switch (args[i])
            {
                case "--stdio":
                    result = result with { Stdio = true };
                    break;
                case "--http":
                    http = true;
                    break;
                case "--urls":
                    result = Value() is { Length: > 0 } urls ? result with { Urls = urls } : result with { Error = "--urls needs a URL." };
                    break;
                case "--idle-timeout":
                    result = int.TryParse(Value(), out var seconds) && seconds > 0
                        ? result with { IdleTimeout = TimeSpan.FromSeconds(seconds) }
                        : result with { Error = "--idle-timeout needs a positive number of seconds." };
                    break;
                case "--log-level":
                    result = Enum.TryParse<LogLevel>(Value(), ignoreCase: true, out var level)
                        ? result with { LogLevel = level }
                        : result with { Error = "--log-level needs one of Trace, Debug, Information, Warning, Error, Critical, None." };
                    break;
                case "-h" or "--help":
                    result = result with { Help = true };
                    break;
                default:
                    result = result with { Error = $"Unknown argument '{args[i]}'." };
                    break;
            }

            if (result.Error is not null)
            {
                return result;
            }
        }

        return http && result.Stdio ? result with { Error = "Choose one of --stdio and --http." } : result;
    }
}
