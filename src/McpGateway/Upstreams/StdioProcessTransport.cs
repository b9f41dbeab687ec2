using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Upstreams;

/// <summary>
/// Runs one stdio MCP server as a child process and speaks newline-delimited JSON-RPC with it.
/// </summary>
/// <remarks>
/// The child runs in its own process group (via <c>setsid</c> where present) so that stopping it also stops whatever it
/// spawned (<c>npx</c> → <c>node</c>): close stdin, then SIGTERM the group, then SIGKILL the group and the tree.
/// The child's environment is <see cref="BaseEnvironmentNames"/> from the gateway's own plus the configured <c>env</c>.
/// </remarks>
internal sealed partial class StdioProcessTransport : ITransport
{
    /// <summary>Variables copied from the gateway's environment into every child; everything else must be configured.</summary>
    public static readonly string[] BaseEnvironmentNames = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "TZ", "TMPDIR"];

    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Process _process;
    private readonly bool _ownGroup;
    private readonly string _serverName;
    private readonly ILogger _logger;
    private readonly TimeSpan _gracePeriod;
    private readonly long _maxMessageBytes;
    private readonly Channel<JsonRpcMessage> _incoming = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Stream _stdin;
    private readonly Task _readLoop;
    private int _disposed;

    private StdioProcessTransport(Process process, bool ownGroup, string serverName, ILogger logger, TimeSpan gracePeriod, long maxMessageBytes)
    {
        _process = process;
        _ownGroup = ownGroup;
        _serverName = serverName;
        _logger = logger;
        _gracePeriod = gracePeriod;
        _maxMessageBytes = maxMessageBytes;
        _stdin = process.StandardInput.BaseStream;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public int ProcessId => _process.Id;

    public string? SessionId => null;

    public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

    /// <summary>Starts the configured command. Throws <see cref="UpstreamException"/> when it cannot be started.</summary>
    public static StdioProcessTransport Start(ServerConfig server, ILogger logger, TimeSpan gracePeriod)
    {
        var environment = BuildEnvironment(server.Env);
        var (executable, prefixArgs) = ResolveSelf(server.Command!, environment.GetValueOrDefault("PATH"));
        executable ??= ResolveExecutable(server.Command!, environment.GetValueOrDefault("PATH"), server.Cwd)
            ?? throw new UpstreamException(server.Name, $"command '{server.Command}' was not found (searched PATH of the child: {environment.GetValueOrDefault("PATH") ?? "<unset>"})");

        var setsid = OperatingSystem.IsLinux() ? FindSetsid() : null;
        var startInfo = new ProcessStartInfo
        {
            FileName = setsid ?? executable,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            WorkingDirectory = server.Cwd ?? Environment.CurrentDirectory,
            StandardOutputEncoding = null,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        if (setsid is not null)
        {
            startInfo.ArgumentList.Add(executable);
        }

        foreach (var arg in prefixArgs.Concat(server.Args))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                GatewayLog.UpstreamStderr(logger, server.Name, e.Data);
            }
        };

        try
        {
            if (!process.Start())
            {
                throw new UpstreamException(server.Name, $"command '{server.Command}' did not start");
            }
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new UpstreamException(server.Name, $"command '{server.Command}' could not be started: {ex.Message}");
        }

        process.BeginErrorReadLine();
        GatewayLog.UpstreamProcessStarted(logger, server.Name, process.Id, server.Command!);
        return new StdioProcessTransport(process, setsid is not null, server.Name, logger, gracePeriod, server.MaxMessageBytes);
    }

    public async Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        var payload = McpWire.Serialize(message);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stdin.WriteAsync(payload, cancellationToken);
            _stdin.WriteByte((byte)'\n');
            await _stdin.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            throw new UpstreamException(_serverName, $"the process is not accepting input ({ex.Message})");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_process.StandardOutput.BaseStream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        long? oversized = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    if (line.Length > _maxMessageBytes)
                    {
                        oversized = line.Length;
                        break;
                    }

                    Dispatch(line);
                }

                // A partial line this long is not buffered further either.
                oversized ??= buffer.Length > _maxMessageBytes ? buffer.Length : null;
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (oversized is not null)
                {
                    // The connection is given up (and restarted) rather than resynchronised on a stream of unknown shape.
                    GatewayLog.UpstreamMessageTooLarge(_logger, _serverName, _maxMessageBytes);
                    break;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        Dispatch(buffer);
                    }

                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The pipe closes when the process goes away; the exit code below says why.
        }
        finally
        {
            await reader.CompleteAsync();
        }

        if (oversized is not null)
        {
            _incoming.Writer.TryComplete(new UpstreamException(_serverName, $"it sent a message larger than {_maxMessageBytes} bytes (maxMessageBytes)"));
            return;
        }

        string reason;
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(wait.Token);
            reason = $"process exited with code {_process.ExitCode}";
        }
        catch (OperationCanceledException)
        {
            reason = "process closed its standard output";
        }

        if (Volatile.Read(ref _disposed) == 0)
        {
            GatewayLog.UpstreamProcessExited(_logger, _serverName, _process.Id, reason);
        }

        _incoming.Writer.TryComplete(new UpstreamException(_serverName, reason));
    }

    private void Dispatch(ReadOnlySequence<byte> line)
    {
        if (IsBlank(line))
        {
            return;
        }

        var message = McpWire.Parse(line, out var error);
        if (message is null)
        {
            GatewayLog.UpstreamInvalidLine(_logger, _serverName, error?.Error.Message ?? "unreadable");
            return;
        }

        _incoming.Writer.TryWrite(message);
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            // Polite first: most servers exit when stdin closes.
            try
            {
                await _writeLock.WaitAsync(_gracePeriod);
                _stdin.Close();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
            }

            if (!await WaitForExitAsync(_gracePeriod))
            {
                Signal(SigTerm);
                if (!await WaitForExitAsync(_gracePeriod))
                {
                    GatewayLog.UpstreamProcessKilled(_logger, _serverName, _process.Id);
                }
            }

            // Whatever the child left running in its group goes too.
            Signal(SigKill);
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            await WaitForExitAsync(_gracePeriod);
            await _readLoop.WaitAsync(_gracePeriod).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            _incoming.Writer.TryComplete(new UpstreamException(_serverName, "the gateway closed the connection"));
            _process.Dispose();
            _writeLock.Dispose();
        }
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private void Signal(int signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        int pid;
        try
        {
            pid = _process.Id;
        }
        catch (InvalidOperationException)
        {
            return;
        }

        // A negative pid addresses the whole process group the child leads.
        _ = Kill(_ownGroup ? -pid : pid, signal);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    internal static Dictionary<string, string> BuildEnvironment(IReadOnlyDictionary<string, string> configured)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in BaseEnvironmentNames)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value && !value.StartsWith("()", StringComparison.Ordinal))
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in configured)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>The command <c>mcp-gateway</c> means this very program (for the demo server), wherever it was started from.</summary>
    private static (string? Executable, string[] PrefixArgs) ResolveSelf(string command, string? path)
    {
        if (command != "mcp-gateway")
        {
            return (null, []);
        }

        var appHost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "mcp-gateway.exe" : "mcp-gateway");
        if (File.Exists(appHost))
        {
            return (appHost, []);
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll");
        return File.Exists(dll) ? (ResolveExecutable("dotnet", path, null), [dll]) : (null, []);
    }

    internal static string? ResolveExecutable(string command, string? path, string? cwd)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.IsPathRooted(command) ? command : Path.GetFullPath(command, cwd ?? Environment.CurrentDirectory);
            return File.Exists(full) ? full : null;
        }

        foreach (var directory in (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindSetsid()
    {
        foreach (var candidate in (string[])["/usr/bin/setsid", "/bin/setsid"])
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
