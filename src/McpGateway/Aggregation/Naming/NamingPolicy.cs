using McpGateway.Configuration;

namespace McpGateway.Aggregation.Naming;

/// <summary>How a view turns a member server's tool or prompt name into the name it exposes.</summary>
internal interface INamingPolicy
{
    /// <summary>The exposed name of <paramref name="name"/> offered by <paramref name="server"/>.</summary>
    string Expose(string server, string name);
}

/// <summary>The naming strategies, chosen by <see cref="VirtualServerConfig.Naming"/>.</summary>
internal static class NamingPolicy
{
    /// <summary>The policy for <paramref name="mode"/>; <paramref name="separator"/> is <see cref="GatewayOptions.ToolNameSeparator"/>.</summary>
    public static INamingPolicy For(NamingMode mode, string separator)
    {
        ArgumentNullException.ThrowIfNull(separator);
        return mode switch
        {
            NamingMode.Prefix => new PrefixNaming(separator),
            NamingMode.None => UnchangedNaming.Instance,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown naming mode"),
        };
    }

    /// <summary><c>{server}{separator}{name}</c> via <see cref="AggregateNames.Compose"/>.</summary>
    private sealed class PrefixNaming(string separator) : INamingPolicy
    {
        public string Expose(string server, string name) => AggregateNames.Compose(server, name, separator);
    }

    /// <summary>The server's own name, unchanged (also when it is outside the spec's pattern: passthrough, like the per-server endpoints).</summary>
    private sealed class UnchangedNaming : INamingPolicy
    {
        public static readonly UnchangedNaming Instance = new();

        public string Expose(string server, string name) => name;
    }
}
