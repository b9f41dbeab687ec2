using McpGateway.Observability;
using Microsoft.Extensions.Logging;

namespace McpGateway.Configuration;

/// <summary>What the admin API found wrong with a requested registry change.</summary>
public enum RegistryProblemKind
{
    /// <summary>The request names no such entry.</summary>
    NotFound,

    /// <summary>The entry is defined in the config file; the file is changed by editing it.</summary>
    ReadOnly,

    /// <summary>The change clashes with the current state (the name is taken, a view still uses the server).</summary>
    Conflict,

    /// <summary>The definition does not validate; <see cref="RegistryProblem.Errors"/> name the fields.</summary>
    Invalid,
}

/// <param name="Errors">Per-field problems; keys are config paths (<c>mcpServers.{name}.url</c>).</param>
public sealed record RegistryProblem(RegistryProblemKind Kind, string Detail, IReadOnlyList<ConfigDiagnostic> Errors)
{
    public static RegistryProblem NotFound(string detail) => new(RegistryProblemKind.NotFound, detail, []);

    public static RegistryProblem ReadOnly(string detail) => new(RegistryProblemKind.ReadOnly, detail, []);

    public static RegistryProblem Conflict(string detail) => new(RegistryProblemKind.Conflict, detail, []);

    public static RegistryProblem Invalid(string detail, IReadOnlyList<ConfigDiagnostic> errors) => new(RegistryProblemKind.Invalid, detail, errors);
}

/// <summary>The state a registry edit is computed from; consistent because edits run one at a time.</summary>
public sealed record RegistryEditContext(GatewayConfig FileConfig, RegistryContents Stored, RegistryComposition Composition, DateTimeOffset Now);

/// <summary>An edit's answer: the store's next contents, or why not.</summary>
public sealed record RegistryProposal(RegistryContents? Next, RegistryProblem? Problem)
{
    public static RegistryProposal To(RegistryContents next) => new(next, null);

    public static RegistryProposal Refuse(RegistryProblem problem) => new(null, problem);
}

/// <summary>
/// Owns the running snapshot's two sources — the config file and the registry store — and swaps in their composition.
/// File reloads and registry edits run one at a time, so neither can overwrite the other's latest state.
/// </summary>
public sealed class GatewayConfigComposer
{
    private readonly GatewayConfigProvider _provider;
    private readonly ConfigReloadState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private GatewayConfig _file;
    private RegistryContents _stored = RegistryContents.Empty;
    private RegistryComposition _composition;

    public GatewayConfigComposer(GatewayConfigProvider provider, ConfigReloadState state, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _provider = provider;
        _state = state;
        _time = time;
        _logger = loggerFactory.CreateLogger("McpGateway.Configuration");
        _file = provider.Current;
        _composition = new RegistryComposition(provider.Current, [], []);
    }

    /// <summary>The running composition, including stored entries that were set aside.</summary>
    public RegistryComposition Composition => Volatile.Read(ref _composition);

    /// <summary>The config as the file (or the code that built it) states it, without stored entries.</summary>
    public GatewayConfig FileConfig => Volatile.Read(ref _file);

    /// <summary>The store's contents as last loaded or saved.</summary>
    public RegistryContents Stored => Volatile.Read(ref _stored);

    /// <summary>
    /// Runs what the store holds (at start-up, or after another process changed it); false when it equals what runs.
    /// <paramref name="load"/> reads the store inside the same turn edits take, so a read cannot miss an edit of this
    /// process that is being saved and then overwrite it with older contents.
    /// </summary>
    public async Task<bool> LoadStoredAsync(Func<CancellationToken, Task<RegistryContents>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var contents = await load(cancellationToken);
            if (Diff(_stored, contents).IsEmpty)
            {
                return false;
            }

            Volatile.Write(ref _stored, contents);
            var composition = RegistryComposer.Compose(_file, contents);
            Apply(composition, contentHash: null, "registry store");
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Hot reload: a valid file replaces the file part; stored entries it invalidates are set aside, not lost.</summary>
    public async Task<ConfigReloadStatus> ReplaceFileAsync(GatewayConfig loaded, string contentHash, string source, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Volatile.Write(ref _file, loaded);
            return Apply(RegistryComposer.Compose(loaded, _stored), contentHash, source);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A registry change: <paramref name="edit"/> proposes the store's next contents; they are validated against the
    /// file (any stored entry that would newly be set aside refuses the whole change), saved by
    /// <paramref name="save"/>, and only then run. Nothing is half-applied: a refusal or a failed save changes nothing.
    /// </summary>
    public async Task<RegistryProblem?> EditAsync(Func<RegistryEditContext, RegistryProposal> edit, Func<RegistryChanges, CancellationToken, Task> save, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ArgumentNullException.ThrowIfNull(save);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = Composition;
            var proposal = edit(new RegistryEditContext(_file, _stored, current, _time.GetUtcNow()));
            if (proposal.Problem is { } refused)
            {
                return refused;
            }

            var next = proposal.Next!;
            var changes = Diff(_stored, next);
            var composition = RegistryComposer.Compose(_file, next);

            // Refused: an entry this change writes that does not validate, or another entry the change breaks.
            var broken = composition.SetAside.Where(entry => current.FindSetAside(entry.Kind, entry.Name) is null || Writes(changes, entry)).ToList();
            if (broken.Count > 0)
            {
                var names = string.Join(", ", broken.Select(entry => $"{(entry.Kind == RegistryEntryKind.Server ? "server" : "virtual server")} `{entry.Name}`"));
                return RegistryProblem.Invalid($"{names} would not be valid after this change (see errors); nothing was changed", [.. broken.SelectMany(entry => entry.Errors)]);
            }

            if (!changes.IsEmpty)
            {
                // Saved before it runs: a success the caller sees is on disk, and a failed save leaves everything as it was.
                await save(changes, cancellationToken);
            }

            Volatile.Write(ref _stored, next);
            Apply(composition, contentHash: null, "admin API");
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private ConfigReloadStatus Apply(RegistryComposition composition, string? contentHash, string source)
    {
        var current = _provider.Current;

        // What runs keeps describing what runs: start-up-only settings stay as they are until the next start.
        var loaded = composition.Config;
        var next = loaded with
        {
            Gateway = loaded.Gateway with
            {
                Listen = current.Gateway.Listen,
                AllowAnonymous = current.Gateway.AllowAnonymous,
                LogFormat = current.Gateway.LogFormat,
                LogLevel = current.Gateway.LogLevel,
            },
            Observability = current.Observability,

            // Start-up only: `serve` checked the listen address against it, so a reload must not drop authentication.
            Auth = current.Auth,
            Audit = current.Audit,
        };
        foreach (var entry in composition.SetAside)
        {
            if (Composition.FindSetAside(entry.Kind, entry.Name) is null)
            {
                GatewayLog.RegistryEntrySetAside(_logger, entry.Kind == RegistryEntryKind.Server ? "server" : "virtual server", entry.Name, string.Join("; ", entry.Errors));
            }
        }

        var change = ConfigChange.Between(current, next);
        var status = _state.Applied(contentHash ?? _state.Current.ContentHash ?? string.Empty, _time.GetUtcNow(), change);
        Volatile.Write(ref _composition, composition with { Config = next });
        _provider.Update(next);
        if (contentHash is null)
        {
            GatewayLog.RegistryChangeApplied(_logger, source, status.Version, change.Summary);
        }
        else
        {
            GatewayLog.ConfigReloadApplied(_logger, source, status.Version, change.Summary);
        }

        return status;
    }

    private static bool Writes(RegistryChanges changes, SetAsideEntry entry) =>
        (entry.Kind == RegistryEntryKind.Server ? changes.UpsertServers : changes.UpsertVirtualServers).Any(written => written.Name == entry.Name);

    private static RegistryChanges Diff(RegistryContents before, RegistryContents after) => new(
        Changed(before.Servers, after.Servers),
        Removed(before.Servers, after.Servers),
        Changed(before.VirtualServers, after.VirtualServers),
        Removed(before.VirtualServers, after.VirtualServers));

    private static List<RegistryEntry> Changed(IReadOnlyList<RegistryEntry> before, IReadOnlyList<RegistryEntry> after) =>
        [.. after.Where(entry => !before.Any(old => old.Name == entry.Name && old.Definition == entry.Definition))];

    private static List<string> Removed(IReadOnlyList<RegistryEntry> before, IReadOnlyList<RegistryEntry> after) =>
        [.. before.Where(old => !after.Any(entry => entry.Name == old.Name)).Select(old => old.Name)];
}
