using McpGateway.Configuration;

namespace McpGateway.Health;

/// <summary>
/// Whether two snapshots of a server reach the same upstream the same way. <see cref="ServerConfig"/>'s record equality
/// compares its lists and maps by reference, and a reload builds new ones for unchanged servers too.
/// </summary>
internal static class ServerConfigComparer
{
    public static bool SameUpstream(ServerConfig a, ServerConfig b) =>
        a.Name == b.Name &&
        a.Transport == b.Transport &&
        a.Command == b.Command &&
        a.Args.SequenceEqual(b.Args) &&
        SameMap(a.Env, b.Env) &&
        a.Cwd == b.Cwd &&
        a.Url == b.Url &&
        SameMap(a.Headers, b.Headers) &&
        a.RequestTimeout == b.RequestTimeout &&
        a.ConnectTimeout == b.ConnectTimeout &&
        a.RestartInitialBackoff == b.RestartInitialBackoff &&
        a.RestartMaxBackoff == b.RestartMaxBackoff;

    private static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
