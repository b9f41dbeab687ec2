using System.CommandLine;
using System.Net;
using McpGateway.Configuration;

namespace McpGateway.Hosting;

/// <summary><c>mcp-gateway serve|validate|servers|import</c>. Exit codes: 0 ok, 1 runtime failure, 2 bad config or arguments, 3 gateway unreachable (admin commands).</summary>
public static class GatewayCommandLine
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;

        var configOption = new Option<FileInfo>("--config", "-c")
        {
            Description = "Config file (YAML or JSON; an mcpServers document from Claude Desktop, Cursor or VS Code works as is)",
            Required = true,
        };
        var urlsOption = new Option<string?>("--urls")
        {
            Description = "Listen URL(s), ';'-separated; overrides gateway.listen (default http://127.0.0.1:8080)",
        };

        var logFormatOption = new Option<string?>("--log-format")
        {
            Description = $"Console log format: text (default) or json, one object per line; overrides gateway.logFormat and {LogSettings.FormatVariable}",
            HelpName = "json|text",
        };
        logFormatOption.Validators.Add(result => RejectUnless(result, text => LogSettings.TryParseFormat(text, out _), $"is not a log format; use {LogSettings.FormatValues}"));
        var logLevelOption = new Option<string?>("--log-level")
        {
            Description = $"Lowest level logged (payloads only at trace); overrides gateway.logLevel and {LogSettings.LevelVariable}",
            HelpName = "trace|debug|information|warning|error",
        };
        logLevelOption.Validators.Add(result => RejectUnless(result, text => LogSettings.TryParseLevel(text, out _), $"is not a log level; use {LogSettings.LevelValues}"));

        var serve = new Command("serve", "Run the gateway") { configOption, urlsOption, logFormatOption, logLevelOption };
        var validate = new Command("validate", "Check a config file and exit: 0 valid, 2 invalid") { configOption };
        var demo = new Command("demo-server", "Run the bundled demo MCP server on stdin/stdout (used by the example config)");
        var root = new RootCommand("McpGateway: one MCP endpoint in front of many MCP servers") { serve, validate, demo };
        var admin = new AdminCli(stdout, stderr);
        foreach (var command in admin.CreateCommands())
        {
            root.Add(command);
        }

        var exitCode = Ok;
        serve.SetAction(async (parse, cancellationToken) =>
        {
            var logging = (parse.GetValue(logFormatOption), parse.GetValue(logLevelOption));
            exitCode = await ServeAsync(parse.GetValue(configOption)!, parse.GetValue(urlsOption), logging, stdout, stderr, cancellationToken);
        });
        validate.SetAction(parse =>
        {
            exitCode = Validate(parse.GetValue(configOption)!, stdout, stderr);
        });

        demo.SetAction(async (_, _) =>
        {
            exitCode = await Demo.DemoServer.RunAsync();
        });

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            await stderr.WriteLineAsync("Run 'mcp-gateway --help' for usage.");
            return BadInput;
        }

        // ProcessTerminationTimeout = null: the host handles SIGTERM/SIGINT and stops gracefully (HostOptions.ShutdownTimeout);
        // System.CommandLine's own handler would exit with 143 after 2 s, cutting the stdio children's shutdown short.
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null };
        var code = await parseResult.InvokeAsync(invocation);
        return code != 0 ? code : exitCode != Ok ? exitCode : admin.ExitCode;
    }

    private static int Validate(FileInfo file, TextWriter stdout, TextWriter stderr)
    {
        var result = GatewayConfigLoader.LoadFile(file.FullName);
        Report(result, stderr);
        if (!result.Succeeded)
        {
            return BadInput;
        }

        stdout.WriteLine($"{file.FullName}: valid ({result.Config!.Servers.Count} server(s))");
        return Ok;
    }

    private static async Task<int> ServeAsync(
        FileInfo file, string? urls, (string? Format, string? Level) logging, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var result = GatewayConfigLoader.LoadFile(file.FullName);
        Report(result, stderr);
        if (!result.Succeeded)
        {
            return BadInput;
        }

        var config = result.Config!;
        if (LogSettings.Apply(config.Gateway, logging.Format, logging.Level, Environment.GetEnvironmentVariable, out var loggingError) is not { } gateway)
        {
            await stderr.WriteLineAsync($"error: {loggingError}");
            return BadInput;
        }

        config = config with { Gateway = gateway };
        var listen = urls ?? config.Gateway.Listen;
        if (FindNonLoopback(listen) is { } exposed && !config.Gateway.AllowAnonymous && !config.Auth.RequiresCredential)
        {
            await stderr.WriteLineAsync(
                $"error: refusing to listen on '{exposed}' without authentication. Listen on 127.0.0.1, configure `auth:` (e.g. `auth: {{ apiKeys: true }}`), or set gateway.allowAnonymous: true to expose an unauthenticated gateway on purpose.");
            return BadInput;
        }

        await using var app = GatewayApp.Build(config, listen, watchConfigFile: file.FullName);
        try
        {
            await app.RunAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"error: could not listen on {listen}: {ex.Message}");
            return Failure;
        }
        catch (Storage.StorageSchemaException ex)
        {
            await stderr.WriteLineAsync($"error: storage: {ex.Message}");
            return Failure;
        }
        catch (Storage.StorageUnavailableException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return Failure;
        }

        return Ok;
    }

    private static void Report(ConfigLoadResult result, TextWriter stderr)
    {
        foreach (var warning in result.Warnings)
        {
            stderr.WriteLine($"warning: {warning}");
        }

        foreach (var error in result.Errors)
        {
            stderr.WriteLine($"error: {error}");
        }
    }

    /// <summary>Adds a parse error naming the option when its value is not one <paramref name="isValid"/> accepts.</summary>
    private static void RejectUnless(System.CommandLine.Parsing.OptionResult result, Func<string, bool> isValid, string problem)
    {
        if (result.GetValueOrDefault<string?>() is { } text && !isValid(text))
        {
            result.AddError($"{result.Option.Name}: `{text}` {problem}");
        }
    }

    /// <summary>The first listen URL whose host is not a loopback address, if any.</summary>
    internal static string? FindNonLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var hostStart = url.IndexOf("://", StringComparison.Ordinal);
            var rest = hostStart >= 0 ? url[(hostStart + 3)..] : url;
            var host = rest.StartsWith('[') ? rest[1..rest.IndexOf(']', StringComparison.Ordinal)] : rest.Split(':', '/')[0];
            var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
                (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
            if (!loopback)
            {
                return url;
            }
        }

        return null;
    }
}
