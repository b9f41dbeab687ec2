namespace McpGateway.Configuration;

/// <summary>
/// The outcome of config reloads so far, for the admin API and operators: one immutable <see cref="ConfigReloadStatus"/>
/// swapped whole, so a reader never sees half of an update.
/// </summary>
public sealed class ConfigReloadState
{
    private ConfigReloadStatus _status = new();

    public ConfigReloadStatus Current => Volatile.Read(ref _status);

    /// <summary>The snapshot the gateway started with (or was last given) came from content with this hash.</summary>
    public void Started(string contentHash, DateTimeOffset at) =>
        Volatile.Write(ref _status, Current with { ContentHash = contentHash, LastSuccess = at });

    /// <summary>A new snapshot was applied; the error list is cleared.</summary>
    public ConfigReloadStatus Applied(string contentHash, DateTimeOffset at, ConfigChange change)
    {
        var next = Current with
        {
            Version = Current.Version + 1,
            ContentHash = contentHash,
            LastAttempt = at,
            LastSuccess = at,
            LastErrors = [],
            LastChange = change,
        };
        Volatile.Write(ref _status, next);
        return next;
    }

    /// <summary>A reload was refused; the running snapshot stays.</summary>
    public ConfigReloadStatus Rejected(DateTimeOffset at, IReadOnlyList<ConfigDiagnostic> errors)
    {
        var next = Current with { LastAttempt = at, LastErrors = errors };
        Volatile.Write(ref _status, next);
        return next;
    }
}

/// <param name="Version">1 for the snapshot the gateway started with; +1 per applied reload.</param>
/// <param name="ContentHash">SHA-256 (hex) of the config text of the running snapshot; null when it did not come from a file.</param>
/// <param name="LastAttempt">When a reload was last tried (applied or rejected); null before the first.</param>
/// <param name="LastSuccess">When the running snapshot was loaded.</param>
/// <param name="LastErrors">Why the last attempt was rejected; empty when it was applied.</param>
/// <param name="LastChange">What the last applied reload changed.</param>
public sealed record ConfigReloadStatus(
    int Version = 1,
    string? ContentHash = null,
    DateTimeOffset? LastAttempt = null,
    DateTimeOffset? LastSuccess = null,
    IReadOnlyList<ConfigDiagnostic>? LastErrors = null,
    ConfigChange? LastChange = null)
{
    public IReadOnlyList<ConfigDiagnostic> Errors => LastErrors ?? [];
}
