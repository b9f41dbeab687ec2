using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

internal sealed partial class ConfigReader
{
    private static readonly string[] FilterKeys = ["allow", "deny"];

    /// <summary>Where a filter stands; only changes the example in messages.</summary>
    private enum FilterKind
    {
        ServerTools,
        ServerPrompts,
        ViewTools,
        ViewPrompts,
        Resources,
    }

    /// <summary>One glob as written, with its node and path for later checks.</summary>
    private readonly record struct GlobEntry(string Pattern, YamlNode Node, string Path);

    /// <summary><c>{ allow: [globs], deny: [globs] }</c>; null after an error.</summary>
    private (ItemFilter Filter, List<GlobEntry> Globs)? ReadFilter(YamlNode node, string path, FilterKind kind)
    {
        if (node is not YamlMappingNode map)
        {
            var listHint = node is YamlSequenceNode ? "; to list the names to expose, put the list under `allow:`" : string.Empty;
            Error(path, node, $"must be a mapping with `allow` and/or `deny` lists of globs, e.g. `{FilterExample(kind)}`, not a {KindOf(node)}{listHint}");
            return null;
        }

        var errorCount = errors.Count;
        List<GlobEntry> allow = [], deny = [];
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            switch (key)
            {
                case "allow":
                    allow = ReadGlobs(value, keyPath, kind) ?? [];
                    if (value is YamlSequenceNode { Children.Count: 0 })
                    {
                        Warning(keyPath, keyNode, "an empty `allow` list allows everything; to expose nothing write `deny: [\"*\"]`, or remove the key");
                    }

                    break;
                case "deny":
                    deny = ReadGlobs(value, keyPath, kind) ?? [];
                    break;
                default:
                    UnknownKey(keyPath, keyNode, FilterKeys);
                    break;
            }
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        var filter = allow.Count == 0 && deny.Count == 0
            ? ItemFilter.All
            : new ItemFilter(allow.ConvertAll(glob => glob.Pattern), deny.ConvertAll(glob => glob.Pattern));
        return (filter, [.. allow, .. deny]);
    }

    private List<GlobEntry>? ReadGlobs(YamlNode node, string path, FilterKind kind)
    {
        if (ReadStringList(node, path, $"[\"{GlobExample(kind)}\"]") is not { } items)
        {
            return null;
        }

        var globs = new List<GlobEntry>(items.Count);
        foreach (var (text, itemNode, itemPath) in items)
        {
            if (text.Length == 0)
            {
                Error(itemPath, itemNode, $"is empty; write a glob such as `{GlobExample(kind)}` (`*` matches any run of characters, `?` one character)");
                continue;
            }

            globs.Add(new GlobEntry(text, itemNode, itemPath));
        }

        return globs.Count == items.Count ? globs : null;
    }

    private static string FilterExample(FilterKind kind) => kind switch
    {
        FilterKind.ServerTools => "{ allow: [\"get_*\"], deny: [\"delete_*\"] }",
        FilterKind.ServerPrompts => "{ deny: [\"debug_*\"] }",
        FilterKind.ViewTools => "{ allow: [\"github__get_*\"], deny: [\"*delete*\"] }",
        FilterKind.ViewPrompts => "{ allow: [\"*\"] }",
        _ => "{ allow: [\"file:///shared/*\"] }",
    };

    private static string GlobExample(FilterKind kind) => kind switch
    {
        FilterKind.ServerTools => "get_*",
        FilterKind.ServerPrompts => "debug_*",
        FilterKind.ViewTools or FilterKind.ViewPrompts => "github__get_*",
        _ => "file:///shared/*",
    };
}
