using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace McpGateway.Bench;

/// <summary>
/// A child process of the comparative run (an echo server, the gateway, a peer), started through <c>setsid</c> so
/// it leads a process group of its own: stopping it signals the whole group (a peer's per-session children too),
/// and any descendant that made a group of its own (the gateway's stdio children) is found through /proc and
/// killed as well. Every process started is registered, so <see cref="StopAll"/> leaves no orphans on any exit.
/// </summary>
internal sealed partial class BenchProcess
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private static readonly ConcurrentDictionary<int, BenchProcess> Live = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lastLines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private BenchProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Raw stdin (the stdio client writes requests here).</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>Raw stdout; only for processes started with <c>drainOutput: false</c>.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>The last lines the process printed (stdout and stderr), for error messages.</summary>
    public string Tail => string.Join('\n', _lastLines);

    /// <param name="drainOutput">Read stdout and stderr line by line (kept for <see cref="WaitForLineAsync"/> and
    /// <see cref="Tail"/>); false leaves stdout to the caller and drains only stderr.</param>
    public static BenchProcess Start(string name, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, bool drainOutput = true)
    {
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add(file);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new BenchProcess(name, process);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        if (drainOutput)
        {
            process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        }

        process.Start();
        Live[process.Id] = child;
        process.BeginErrorReadLine();
        if (drainOutput)
        {
            process.BeginOutputReadLine();
        }

        return child;
    }

    /// <summary>Waits for a line of output that <paramref name="match"/> accepts; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            foreach (var line in _lastLines)
            {
                if (match(line))
                {
                    return line;
                }
            }

            _waiters.Add((match, found));
        }

        var exited = _process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(found.Task, exited, Task.Delay(timeout, cancellationToken));
        if (first == found.Task)
        {
            return await found.Task;
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new InvalidOperationException(_process.HasExited
            ? $"{Name} exited ({_process.ExitCode}) before it was ready:\n{Tail}"
            : $"{Name} was not ready within {timeout.TotalSeconds:0} s:\n{Tail}");
    }

    /// <summary>Waits for the process to end by itself (e.g. <c>npm ci</c>); a non-zero exit code throws.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        await _process.WaitForExitAsync(limit.Token);
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Name} failed ({_process.ExitCode}):\n{Tail}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lastLines.Enqueue(line);
        while (_lastLines.Count > 40)
        {
            _lastLines.TryDequeue(out _);
        }

        lock (_waiters)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>SIGTERM to the group (a graceful stop: the gateway closes its own children), SIGKILL to what is left.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!Live.TryRemove(_process.Id, out _))
        {
            return;
        }

        var descendants = ProcStats.Descendants(_process.Id);
        Signal(-_process.Id, SigTerm);
        try
        {
            await _process.WaitForExitAsync(new CancellationTokenSource(grace).Token);
        }
        catch (OperationCanceledException)
        {
            // killed below
        }

        KillHard(_process.Id, descendants);
        _process.Dispose();
    }

    /// <summary>Stops every process still registered; for Ctrl+C and the end of the run.</summary>
    public static async Task StopAllAsync(TimeSpan grace) =>
        await Task.WhenAll(Live.Values.ToArray().Select(p => p.StopAsync(grace)));

    /// <summary>Last resort (process exit): SIGKILL every registered group and descendant at once, no waiting.</summary>
    public static void KillAllNow()
    {
        foreach (var child in Live.Values.ToArray())
        {
            if (Live.TryRemove(child.Id, out _))
            {
                KillHard(child.Id, ProcStats.Descendants(child.Id));
            }
        }
    }

    private static void KillHard(int leader, IReadOnlyList<int> descendants)
    {
        Signal(-leader, SigKill);
        foreach (var pid in descendants)
        {
            // A descendant that called setsid leads its own group (and may have children of its own there).
            Signal(-pid, SigKill);
            Signal(pid, SigKill);
        }
    }

    private static void Signal(int pid, int signal) => _ = SendSignal(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}

/// <summary>What /proc says about a process: resident memory, CPU time, descendants.</summary>
internal static class ProcStats
{
    /// <summary>Clock ticks per second of /proc/[pid]/stat times (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>VmRSS in bytes, or 0 when the process is gone.</summary>
    public static long RssBytes(int pid) => KilobyteField(pid, "status", "VmRSS:");

    /// <summary>
    /// Proportional set size in bytes (/proc/[pid]/smaps_rollup): pages shared with other processes (the runtime's
    /// libraries in every echo-stdio child) count by their share, so a sum over processes does not count them twice.
    /// </summary>
    public static long PssBytes(int pid) => KilobyteField(pid, "smaps_rollup", "Pss:");

    /// <summary>A <c>Name:   123 kB</c> line of /proc/[pid]/<paramref name="file"/> in bytes, or 0 when the process is gone.</summary>
    private static long KilobyteField(int pid, string file, string name)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/{file}"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(name.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>User + system CPU seconds, or 0 when the process is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = StatFields(pid);
        return fields is null ? 0 : (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>PSS of the process and all its descendants.</summary>
    public static long TreePssBytes(int pid) => PssBytes(pid) + Descendants(pid).Sum(PssBytes);

    /// <summary>CPU seconds of the process and its live descendants.</summary>
    public static double TreeCpuSeconds(int pid) => CpuSeconds(pid) + Descendants(pid).Sum(CpuSeconds);

    /// <summary>Every live descendant (children, grandchildren, …) found through the parent ids in /proc.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var candidate))
            {
                continue;
            }

            var fields = StatFields(candidate);
            if (fields is not null && int.TryParse(fields[1], out var parent))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(candidate);
            }
        }

        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var next))
        {
            foreach (var child in children.GetValueOrDefault(next) ?? [])
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>The fields of /proc/[pid]/stat after the command name: [0] state, [1] ppid, … [11] utime, [12] stime.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var close = text.LastIndexOf(')');
            return close < 0 ? null : text[(close + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
