using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Guardrails;

/// <summary>
/// Tool pinning ("rug-pull" protection): the hash of each approved tool definition per (server, tool). A listed
/// definition that differs from the approved one makes the tool pending: withheld from every list and refused on call
/// until an admin approves it. Lookups are in memory; the store is written only when a pin changes, off the request path.
/// </summary>
internal sealed class ToolPins : IHostedService
{
    private readonly ConcurrentDictionary<(string Server, string Tool), ToolPin> _pins = new();

    /// <summary>Definitions already hashed, by the listed node (a view keeps its members' nodes while its list is cached).</summary>
    private readonly ConditionalWeakTable<JsonObject, Seen> _seen = new();

    private readonly Lock _changing = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<(string Server, string Tool), byte> _dirty = new();
    private readonly System.Threading.Channels.Channel<bool> _wake = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private Task _writer = Task.CompletedTask;
    private readonly IToolPinStore _store;
    private readonly IGatewayConfigProvider _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _generation;
    private int _pending;

    public ToolPins(IToolPinStore store, IGatewayConfigProvider config, TimeProvider time, IMeterFactory meters, ILoggerFactory loggerFactory)
    {
        _store = store;
        _config = config;
        _time = time;
        _logger = loggerFactory.CreateLogger("McpGateway.Guardrails");
        meters.Create(GatewayTelemetry.MeterName).CreateObservableGauge("mcp_tool_pins_pending", () => Volatile.Read(ref _pending),
            description: "Tools whose definition changed since approval (or new tools awaiting approval): withheld until an admin approves them");
    }

    /// <summary>Moves whenever a tool becomes withheld or available again; views rebuild their merged tools when it does.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Raised (with the server's name) after an admin approved or forgot a pin: clients may list again.</summary>
    public event Action<string>? Released;

    public bool AppliesTo(ServerConfig server) => server.PinTools ?? _config.Current.Gateway.Guardrails.PinTools;

    /// <summary>
    /// Notes one listed tool of <paramref name="server"/> (pinning it on first sight, marking a changed definition
    /// pending) and says whether it may be listed and called.
    /// </summary>
    public bool Admit(ServerConfig server, JsonObject tool)
    {
        if (!AppliesTo(server) || (string?)tool["name"] is not { Length: > 0 and <= StoredToolPin.MaxToolLength } name)
        {
            return true;
        }

        var seen = _seen.GetValue(tool, static t =>
        {
            var canonical = ToolDefinition.Canonical(t);
            return new Seen(canonical, ToolDefinition.Hash(canonical));
        });
        var key = (server.Name, name);
        if (_pins.TryGetValue(key, out var pin))
        {
            // The common case: the approved definition again, or the pending one again (already logged).
            if (pin.PendingHash == seen.Hash)
            {
                return false;
            }

            if (pin.ApprovedHash == seen.Hash)
            {
                return !pin.IsPending;
            }
        }

        return Observe(key, seen);
    }

    /// <summary>The call path: one dictionary lookup.</summary>
    public bool IsWithheld(ServerConfig server, string tool) =>
        _pins.TryGetValue((server.Name, tool), out var pin) && pin.IsPending && AppliesTo(server);

    public IReadOnlyList<ToolPin> List() => [.. _pins.Values.OrderBy(p => p.Server, StringComparer.Ordinal).ThenBy(p => p.Tool, StringComparer.Ordinal)];

    public ToolPin? Find(string server, string tool) => _pins.GetValueOrDefault((server, tool));

    /// <summary>The pending definition becomes the approved one (saved before this returns); null when nothing is pending.</summary>
    public async Task<ToolPin?> ApproveAsync(string server, string tool, CancellationToken cancellationToken)
    {
        ToolPin approved;
        lock (_changing)
        {
            if (!_pins.TryGetValue((server, tool), out var pin) || !pin.IsPending)
            {
                return null;
            }

            approved = pin with
            {
                ApprovedHash = pin.PendingHash,
                ApprovedDefinition = pin.PendingDefinition,
                ApprovedAt = _time.GetUtcNow(),
                PendingHash = null,
                PendingDefinition = null,
                PendingSince = null,
            };
            _pins[(server, tool)] = approved;
            _pending--;
            Interlocked.Increment(ref _generation);
        }

        GatewayLog.ToolPinApproved(_logger, server, tool, approved.ApprovedHash!);
        await WriteAsync((server, tool), cancellationToken);
        Released?.Invoke(server);
        return approved;
    }

    /// <summary>Forgets a pin (the next definition seen is trusted again); false when there was none.</summary>
    public async Task<bool> ForgetAsync(string server, string tool, CancellationToken cancellationToken)
    {
        lock (_changing)
        {
            if (!_pins.TryRemove((server, tool), out var removed))
            {
                return false;
            }

            if (removed.IsPending)
            {
                _pending--;
            }

            Interlocked.Increment(ref _generation);
        }

        GatewayLog.ToolPinForgotten(_logger, server, tool);
        await WriteAsync((server, tool), cancellationToken);
        Released?.Invoke(server);
        return true;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.LoadAsync(cancellationToken);
        lock (_changing)
        {
            foreach (var pin in stored)
            {
                _pins[(pin.Server, pin.Tool)] = pin;
            }

            _pending = _pins.Values.Count(p => p.IsPending);
            Interlocked.Increment(ref _generation);
        }

        GatewayLog.ToolPinsLoaded(_logger, _pins.Count, _pending);
        _writer = Task.Run(WriteChangesAsync, CancellationToken.None);
    }

    /// <summary>Lets the writer save what is left, so a pin seen just before shutdown is not lost.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _wake.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown ran out of time (other services used the grace period): unsaved pins are simply seen again next run.
        }
    }

    private bool Observe((string Server, string Tool) key, Seen seen)
    {
        var now = _time.GetUtcNow();
        ToolPin next;
        lock (_changing)
        {
            var pin = _pins.GetValueOrDefault(key);
            if (pin is not null && (pin.PendingHash == seen.Hash || pin.ApprovedHash == seen.Hash))
            {
                return !pin.IsPending;
            }

            if (pin is null && _config.Current.Gateway.Guardrails.ApproveNewTools)
            {
                next = new ToolPin(key.Server, key.Tool, seen.Hash, seen.Canonical, now, null, null, null);
                _pins[key] = next;
                GatewayLog.ToolPinned(_logger, key.Server, key.Tool, seen.Hash);
            }
            else
            {
                next = pin is null
                    ? new ToolPin(key.Server, key.Tool, null, null, null, seen.Hash, seen.Canonical, now)
                    : pin with { PendingHash = seen.Hash, PendingDefinition = seen.Canonical, PendingSince = now };
                if (pin?.IsPending != true)
                {
                    _pending++;
                }

                _pins[key] = next;
                Interlocked.Increment(ref _generation);
                if (pin?.ApprovedHash is { } approvedHash)
                {
                    GatewayLog.ToolDefinitionChanged(_logger, key.Server, key.Tool, approvedHash, seen.Hash, ToolDefinitionDiff.Describe(pin.ApprovedDefinition, seen.Canonical));
                }
                else
                {
                    GatewayLog.NewToolAwaitingApproval(_logger, key.Server, key.Tool, seen.Hash);
                }
            }
        }

        // Off the request path: the answer does not wait for the database; the writer batches what a list brought.
        _dirty[key] = 0;
        _wake.Writer.TryWrite(true);

        return !next.IsPending;
    }

    /// <summary>
    /// The background writer: saves every pin marked dirty, as it is when the batch is written, in one transaction per
    /// batch. The wake-up is taken before the dirty keys are read, so a key marked after that read wakes it again.
    /// </summary>
    private async Task WriteChangesAsync()
    {
        var reader = _wake.Reader;
        while (await reader.WaitToReadAsync())
        {
            reader.TryRead(out _);
            await WriteDirtyAsync();
        }

        await WriteDirtyAsync();
    }

    private async Task WriteDirtyAsync()
    {
        var keys = _dirty.Keys.ToList();
        if (keys.Count == 0)
        {
            return;
        }

        foreach (var key in keys)
        {
            _dirty.TryRemove(key, out _);
        }

        // A key forgotten meanwhile is absent: the admin's forget removed it from the store itself.
        var pins = keys.Select(k => _pins.GetValueOrDefault(k)).OfType<ToolPin>().ToList();
        await _writing.WaitAsync();
        try
        {
            await _store.SaveAllAsync(pins, CancellationToken.None);
            foreach (var pin in pins)
            {
                GatewayLog.ToolPinSaved(_logger, pin.Server, pin.Tool, pin.IsPending ? "pending" : "approved");
            }
        }
        catch (Exception ex)
        {
            foreach (var pin in pins)
            {
                GatewayLog.ToolPinSaveFailed(_logger, pin.Server, pin.Tool, ex.Message);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Saves the pin's state as it is when the write runs (or its absence), so racing writes cannot leave an older state behind.</summary>
    private async Task WriteAsync((string Server, string Tool) key, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (_pins.TryGetValue(key, out var pin))
            {
                await _store.SaveAsync(pin, cancellationToken);
                GatewayLog.ToolPinSaved(_logger, key.Server, key.Tool, pin.IsPending ? "pending" : "approved");
            }
            else
            {
                await _store.RemoveAsync(key.Server, key.Tool, cancellationToken);
                GatewayLog.ToolPinSaved(_logger, key.Server, key.Tool, "forgotten");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            GatewayLog.ToolPinSaveFailed(_logger, key.Server, key.Tool, ex.Message);
        }
        finally
        {
            _writing.Release();
        }
    }

    private sealed record Seen(string Canonical, string Hash);
}
