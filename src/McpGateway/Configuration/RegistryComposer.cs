using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>What kind of entry a stored definition is.</summary>
public enum RegistryEntryKind
{
    Server,
    VirtualServer,
}

/// <summary>A stored entry that does not validate against the current config file; it stays stored but does not run.</summary>
public sealed record SetAsideEntry(RegistryEntryKind Kind, string Name, IReadOnlyList<ConfigDiagnostic> Errors);

/// <summary>The running config: the file's entries plus every stored entry that validates, and the stored entries that do not.</summary>
public sealed record RegistryComposition(GatewayConfig Config, IReadOnlyList<SetAsideEntry> SetAside, IReadOnlyList<ConfigDiagnostic> Warnings)
{
    public SetAsideEntry? FindSetAside(RegistryEntryKind kind, string name) =>
        SetAside.FirstOrDefault(entry => entry.Kind == kind && string.Equals(entry.Name, name, StringComparison.Ordinal));
}

/// <summary>
/// Composes the config file with the registry store. The file is the declarative source and wins: its entries are
/// read-only to the admin API, and a stored entry that clashes with it (same name, a member the file no longer has, a
/// name the file's separator forbids) is set aside — kept in the store, reported, not run — instead of failing the file.
/// </summary>
public static class RegistryComposer
{
    public static RegistryComposition Compose(GatewayConfig fileConfig, RegistryContents stored, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentNullException.ThrowIfNull(fileConfig);
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Servers.Count == 0 && stored.VirtualServers.Count == 0)
        {
            return new RegistryComposition(fileConfig, [], []);
        }

        var setAside = new List<SetAsideEntry>();
        var servers = Parse(stored.Servers, RegistryEntryKind.Server, setAside);
        var views = Parse(stored.VirtualServers, RegistryEntryKind.VirtualServer, setAside);

        // Each round sets aside the entries errors point at; a view naming a set-aside server fails in the next round.
        while (true)
        {
            var errors = new List<ConfigDiagnostic>();
            var warnings = new List<ConfigDiagnostic>();
            var reader = new ConfigReader(getEnvironmentVariable ?? Environment.GetEnvironmentVariable, errors, warnings);
            var config = reader.ReadRegistered(fileConfig, Mapping(servers), Mapping(views));
            if (errors.Count == 0)
            {
                return new RegistryComposition(config, setAside, [.. warnings.Select(WithoutLine)]);
            }

            var implicated = 0;
            implicated += SetAsideImplicated(servers, RegistryEntryKind.Server, "mcpServers", errors, setAside);
            implicated += SetAsideImplicated(views, RegistryEntryKind.VirtualServer, "virtualServers", errors, setAside);
            if (implicated == 0)
            {
                // Not expected: every error of a stored entry carries its path. Run the file alone rather than loop.
                setAside.AddRange(servers.Select(entry => new SetAsideEntry(RegistryEntryKind.Server, entry.Name, [.. errors.Select(WithoutLine)])));
                setAside.AddRange(views.Select(entry => new SetAsideEntry(RegistryEntryKind.VirtualServer, entry.Name, [.. errors.Select(WithoutLine)])));
                return new RegistryComposition(fileConfig, setAside, []);
            }
        }
    }

    /// <summary>The path prefix of a stored entry's diagnostics.</summary>
    public static string PathOf(RegistryEntryKind kind, string name) => kind == RegistryEntryKind.Server ? $"mcpServers.{name}" : $"virtualServers.{name}";

    private static List<(string Name, YamlNode Node)> Parse(IReadOnlyList<RegistryEntry> entries, RegistryEntryKind kind, List<SetAsideEntry> setAside)
    {
        var parsed = new List<(string, YamlNode)>(entries.Count);
        foreach (var entry in entries)
        {
            var errors = new List<ConfigDiagnostic>();
            if (ConfigDocumentParser.TryParse(entry.Definition, errors, out var root) && root is YamlMappingNode)
            {
                parsed.Add((entry.Name, root));
            }
            else
            {
                // Only reachable when the database was edited by hand: writes are validated first.
                errors.Add(new ConfigDiagnostic(PathOf(kind, entry.Name), null, "the stored definition is not a JSON object"));
                setAside.Add(new SetAsideEntry(kind, entry.Name, [.. errors.Select(WithoutLine)]));
            }
        }

        return parsed;
    }

    private static YamlMappingNode Mapping(List<(string Name, YamlNode Node)> entries)
    {
        var map = new YamlMappingNode();
        foreach (var (name, node) in entries)
        {
            map.Add(new YamlScalarNode(name), node);
        }

        return map;
    }

    private static int SetAsideImplicated(List<(string Name, YamlNode Node)> entries, RegistryEntryKind kind, string section, List<ConfigDiagnostic> errors, List<SetAsideEntry> setAside)
    {
        var count = 0;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            var prefix = $"{section}.{entries[i].Name}";
            var own = errors.Where(error => IsUnder(error.Key, prefix)).Select(WithoutLine).ToList();
            if (own.Count > 0)
            {
                setAside.Add(new SetAsideEntry(kind, entries[i].Name, own));
                entries.RemoveAt(i);
                count++;
            }
        }

        return count;
    }

    private static bool IsUnder(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] is '.' or '[');

    // Lines would count within the stored JSON, not the config file: they would mislead.
    private static ConfigDiagnostic WithoutLine(ConfigDiagnostic diagnostic) => diagnostic with { Line = null };
}
