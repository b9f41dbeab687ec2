using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

internal static partial class GatewayLog
{
    // 261x: the registry's entries composed with the config file
    [LoggerMessage(2610, LogLevel.Information, "registry change from {Source} applied (version {Version}): {Summary}")]
    public static partial void RegistryChangeApplied(ILogger logger, string source, int version, string summary);

    [LoggerMessage(2611, LogLevel.Warning, "stored {Kind} {Name} is set aside (kept in the store, not run): {Errors}")]
    public static partial void RegistryEntrySetAside(ILogger logger, string kind, string name, string errors);

    [LoggerMessage(2612, LogLevel.Information, "registry store {Store}: {Servers} servers and {Views} virtual servers")]
    public static partial void RegistryLoaded(ILogger logger, string store, int servers, int views);

    [LoggerMessage(2613, LogLevel.Information, "registry store {Store} changed elsewhere (revision {Revision}); applied")]
    public static partial void RegistryChangedElsewhere(ILogger logger, string store, long revision);

    [LoggerMessage(2614, LogLevel.Warning, "cannot read registry store {Store}; keeping the running config: {Reason}")]
    public static partial void RegistryPollFailed(ILogger logger, string store, string reason);
}
