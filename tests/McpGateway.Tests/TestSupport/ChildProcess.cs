using System.Diagnostics;
using System.Text;

namespace McpGateway.Tests.TestSupport;

/// <summary>
/// A child process for the interop tests: output captured line by line, waits that end when a line appears or the
/// process exits (never a fixed sleep), and the whole process tree killed on timeout and on dispose.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Signal)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public string Description { get; }

    public int Id => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, $"{fileName} {string.Join(' ', startInfo.ArgumentList)}");
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, child._stdout);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, child._stderr);
        process.Exited += (_, _) => child._exited.TrySetResult();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Completes with the first line (stdout or stderr, past or future) that matches; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = (_stdout.ToString() + _stderr).Split('\n').FirstOrDefault(l => match(l.TrimEnd('\r')));
            if (seen is not null)
            {
                return seen;
            }

            _waiters.Add((match, signal));
        }

        var winner = await Task.WhenAny(signal.Task, _exited.Task).WaitAsync(timeout, cancellationToken);
        if (winner == signal.Task)
        {
            return await signal.Task;
        }

        // Exited: output may still be draining; the line may have been the last one.
        await _process.WaitForExitAsync(cancellationToken);
        if (signal.Task.IsCompleted)
        {
            return await signal.Task;
        }

        throw new InvalidOperationException($"{Description} exited with code {_process.ExitCode} before printing the expected line.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
    }

    /// <summary>Waits for the process to end (and its output to drain); kills the whole tree when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            KillTree();
            throw new TimeoutException($"{Description} did not finish within {timeout.TotalSeconds:0} s and was killed.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
    }

    public bool HasExited => _exited.Task.IsCompleted;

    private void OnLine(string? line, StringBuilder sink)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            sink.Append(line).Append('\n');
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Signal.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private void KillTree()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        KillTree();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Reported by the leak check of the test that owns it.
        }

        _process.Dispose();
    }
}
