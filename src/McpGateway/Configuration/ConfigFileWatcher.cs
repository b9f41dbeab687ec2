using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using McpGateway.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Configuration;

/// <summary>
/// Reloads the config file when it changes (debounced by <see cref="GatewayOptions.ReloadDebounce"/>) or on SIGHUP.
/// A valid file becomes the new snapshot; an invalid one is rejected whole and the last good snapshot stays.
/// </summary>
/// <remarks>
/// The directory is watched, not the file: editors save by writing a temporary file and renaming it over the original,
/// or by deleting and re-creating it, and a Kubernetes ConfigMap swaps a <c>..data</c> symlink next to the file. Any
/// of those ends in one reload after the burst of events; identical content (same SHA-256) is a no-op. Settings that
/// are only read at start-up (listen address, logging, telemetry export) keep their running values and are reported.
/// </remarks>
internal sealed class ConfigFileWatcher(string path, GatewayConfigProvider provider, GatewayConfigComposer composer, ConfigReloadState state, TimeProvider time, ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly string _path = Path.GetFullPath(path);
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Configuration");
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private PosixSignalRegistration? _hangup;
    private Task? _loop;
    private int _immediate;

    /// <summary>The start-up settings as the file states them (the running snapshot may carry command-line overrides).</summary>
    private GatewayConfig? _fileConfig;

    private string? _rejectedHash;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(_path);
        Watch(Path.GetDirectoryName(_path)!, fileName);

        // A symlinked file (a ConfigMap, a dotfiles repo) also changes where the link points.
        if (ResolveLink(_path) is { } target && Path.GetDirectoryName(target) is { } targetDirectory
            && !string.Equals(targetDirectory, Path.GetDirectoryName(_path), StringComparison.Ordinal) && Directory.Exists(targetDirectory))
        {
            Watch(targetDirectory, Path.GetFileName(target));
        }

        if (!OperatingSystem.IsWindows())
        {
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // reload, do not terminate
                Trigger(immediate: true);
            });
        }

        if (TryRead(out var text))
        {
            state.Started(Hash(text), time.GetUtcNow());
            _fileConfig = GatewayConfigLoader.LoadText(text, _path).Config;
        }

        _loop = RunAsync(_stopping.Token);
        GatewayLog.ConfigWatchStarted(_logger, _path, provider.Current.Gateway.ReloadDebounce.TotalMilliseconds);
        return Task.CompletedTask;
    }

    private void Watch(string directory, string fileName)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        FileSystemEventHandler changed = (_, e) => OnEvent(e.Name, fileName);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, e) =>
        {
            OnEvent(e.Name, fileName);
            OnEvent(e.OldName, fileName);
        };
        watcher.Error += (_, e) =>
        {
            GatewayLog.ConfigWatchError(_logger, e.GetException());
            Trigger(immediate: false);
        };
        watcher.EnableRaisingEvents = true;
        _watchers.Add(watcher);
    }

    /// <summary>Events for the file itself, or for the <c>..data</c>-style entries a ConfigMap swaps.</summary>
    private void OnEvent(string? name, string fileName)
    {
        if (name is not null && (string.Equals(name, fileName, StringComparison.Ordinal) || name.StartsWith("..", StringComparison.Ordinal)))
        {
            Trigger(immediate: false);
        }
    }

    /// <summary>Asks for a reload; <paramref name="immediate"/> skips the debounce (SIGHUP: the operator says the file is complete).</summary>
    public void Trigger(bool immediate)
    {
        if (immediate)
        {
            Interlocked.Exchange(ref _immediate, 1);
        }

        _signal.Release();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(cancellationToken);

                // Debounce: reload once no event arrived for a whole period. SIGHUP does not wait.
                var trigger = "file changed";
                while (true)
                {
                    if (Interlocked.Exchange(ref _immediate, 0) == 1)
                    {
                        trigger = "SIGHUP";
                        break;
                    }

                    using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var elapsed = Task.Delay(provider.Current.Gateway.ReloadDebounce, time, quiet.Token);
                    var first = await Task.WhenAny(_signal.WaitAsync(quiet.Token), elapsed);
                    await quiet.CancelAsync();
                    cancellationToken.ThrowIfCancellationRequested();
                    if (first == elapsed)
                    {
                        break;
                    }
                }

                // The events of this burst are covered by this reload.
                while (_signal.Wait(0, CancellationToken.None))
                {
                }

                try
                {
                    await ReloadAsync(trigger, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Keep watching: the next edit may fix whatever went wrong.
                    GatewayLog.ConfigReloadRejected(_logger, _path, state.Current.Version, $"reload failed: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One reload attempt; runs on the watcher loop only, so attempts never overlap.</summary>
    internal async Task ReloadAsync(string trigger, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!TryRead(out var text))
        {
            // LoadFile words the problem (missing, unreadable) the way start-up does.
            Reject(now, GatewayConfigLoader.LoadFile(_path).Errors, hash: null);
            return;
        }

        var hash = Hash(text);
        if (hash == state.Current.ContentHash || hash == _rejectedHash)
        {
            GatewayLog.ConfigReloadUnchanged(_logger, _path, trigger);
            return;
        }

        var result = GatewayConfigLoader.LoadText(text, _path);
        if (!result.Succeeded)
        {
            Reject(now, result.Errors, hash);
            return;
        }

        foreach (var warning in result.Warnings)
        {
            GatewayLog.ConfigWarning(_logger, warning.ToString());
        }

        var loaded = result.Config!;
        var current = provider.Current;
        foreach (var setting in ConfigChange.RestartRequiredSettings(_fileConfig ?? current, loaded))
        {
            GatewayLog.ConfigReloadNeedsRestart(_logger, setting);
        }

        _fileConfig = loaded;
        _rejectedHash = null;

        // Stored entries are added and start-up-only settings kept by the composer, which also serialises this with
        // admin API changes.
        await composer.ReplaceFileAsync(loaded, hash, _path, cancellationToken);
    }

    private void Reject(DateTimeOffset now, IReadOnlyList<ConfigDiagnostic> errors, string? hash)
    {
        _rejectedHash = hash;
        var status = state.Rejected(now, errors);
        GatewayLog.ConfigReloadRejected(_logger, _path, status.Version, string.Join("; ", errors));
    }

    private bool TryRead(out string text)
    {
        try
        {
            text = File.ReadAllText(_path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string? ResolveLink(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _hangup?.Dispose();
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _stopping.Dispose();
        _signal.Dispose();
    }
}
