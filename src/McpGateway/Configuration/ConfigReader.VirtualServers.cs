using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

internal sealed partial class ConfigReader
{
    private const int MaxExposedNameLength = 128;

    private static readonly string[] VirtualServerKeys =
        ["description", "servers", "tools", "prompts", "resources", "naming", "onUpstreamFailure", "resourceConflicts", "pageSize", "overrides", "redact", "tenant"];

    private static readonly string[] OverrideKeys = ["name", "title", "description", "annotations", "hidden"];

    private static readonly string[] BooleanAnnotations = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"];

    private static readonly Dictionary<string, NamingMode> NamingModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["prefix"] = NamingMode.Prefix,
        ["none"] = NamingMode.None,
    };

    private static readonly Dictionary<string, UpstreamFailureMode> UpstreamFailureModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["serveLastKnown"] = UpstreamFailureMode.ServeLastKnown,
        ["serve-last-known"] = UpstreamFailureMode.ServeLastKnown,
        ["omit"] = UpstreamFailureMode.Omit,
        ["fail"] = UpstreamFailureMode.Fail,
    };

    private static readonly Dictionary<string, ResourceConflictMode> ResourceConflictModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["firstServer"] = ResourceConflictMode.FirstServer,
        ["first-server"] = ResourceConflictMode.FirstServer,
        ["error"] = ResourceConflictMode.Error,
    };

    private List<VirtualServerConfig> ReadVirtualServers(YamlNode node, string section, GatewayConfig config)
    {
        var views = new List<VirtualServerConfig>();
        if (IsNull(node))
        {
            return views;
        }

        if (node is not YamlMappingNode map)
        {
            Error(section, node, "must be a mapping from view name to its settings, e.g. `code-review: { servers: [github] }`");
            return views;
        }

        foreach (var (name, nameNode, value) in Entries(map, section))
        {
            if (ReadVirtualServer(name, nameNode, value, Join(section, name), config) is { } view)
            {
                views.Add(view);
            }
        }

        return views;
    }

    private VirtualServerConfig? ReadVirtualServer(string name, YamlScalarNode nameNode, YamlNode node, string path, GatewayConfig config)
    {
        var errorCount = errors.Count;
        if (!ServerNamePattern().IsMatch(name))
        {
            Error(path, nameNode, $"virtual server name `{name}` is not allowed; use 1 to 64 letters, digits, `_`, `.` or `-`, starting with a letter or digit (pattern ^[A-Za-z0-9][A-Za-z0-9_.-]{{0,63}}$), because it becomes a URL path segment (/virtual/{{name}}/mcp)");
        }

        var view = new VirtualServerConfig { Name = name };
        if (IsNull(node))
        {
            // `review:` alone: every enabled server with the defaults.
            return errors.Count > errorCount ? null : view;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping of view settings, e.g. `{{ servers: [github], tools: {{ allow: [\"github__get_*\"] }} }}`, not a {KindOf(node)}");
            return null;
        }

        var draft = new ViewDraft();
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (!IsNull(value))
            {
                view = ReadVirtualServerEntry(view, draft, key, keyNode, value, Join(path, key), config);
            }
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        view = view with { Overrides = draft.Overrides, Definition = YamlJson.ToJsonObject(map) };
        CheckNames(view, draft, path, config);
        return view;
    }

    private VirtualServerConfig ReadVirtualServerEntry(VirtualServerConfig view, ViewDraft draft, string key, YamlScalarNode keyNode, YamlNode value, string path, GatewayConfig config)
    {
        switch (key)
        {
            case "description":
                return Text(value, path, "a string") is { } description ? view with { Description = description } : view;
            case "servers":
                return ReadMembers(value, path, config) is { } members ? view with { Servers = members } : view;
            case "tools":
                return ReadViewFilter(value, path, FilterKind.ViewTools, draft) is { } tools ? view with { Tools = tools } : view;
            case "prompts":
                return ReadViewFilter(value, path, FilterKind.ViewPrompts, draft) is { } prompts ? view with { Prompts = prompts } : view;
            case "resources":
                return ReadFilter(value, path, FilterKind.Resources) is { } resources ? view with { Resources = resources.Filter } : view;
            case "naming":
                draft.NamingNode = value;
                return ReadChoice(value, path, NamingModes, "prefix or none") is { } naming ? view with { Naming = naming } : view;
            case "onUpstreamFailure":
                return ReadChoice(value, path, UpstreamFailureModes, "serveLastKnown, omit or fail") is { } failure ? view with { OnUpstreamFailure = failure } : view;
            case "resourceConflicts":
                return ReadChoice(value, path, ResourceConflictModes, "firstServer or error") is { } conflicts ? view with { ResourceConflicts = conflicts } : view;
            case "pageSize":
                return ReadPageSize(value, path) is { } pageSize ? view with { PageSize = pageSize } : view;
            case "redact":
                return ReadRedact(value, path, allowOff: true) is { } redact ? view with { Redact = redact } : view;
            case "overrides":
                ReadOverrides(value, path, draft);
                return view;
            case "tenant":
                return ReadNonEmptyString(value, path, "acme") is { } tenant ? view with { Tenant = tenant } : view;
            default:
                return UnknownKey(path, keyNode, VirtualServerKeys, view);
        }
    }

    private ItemFilter? ReadViewFilter(YamlNode node, string path, FilterKind kind, ViewDraft draft)
    {
        if (ReadFilter(node, path, kind) is not { } read)
        {
            return null;
        }

        draft.NameGlobs.AddRange(read.Globs);
        return read.Filter;
    }

    /// <summary>The view's <c>servers</c>: each a key of <c>mcpServers</c>, listed once.</summary>
    private List<string>? ReadMembers(YamlNode node, string path, GatewayConfig config)
    {
        if (ReadStringList(node, path, "[github, code-exec]") is not { } items)
        {
            return null;
        }

        var members = new List<string>(items.Count);
        var valid = true;
        foreach (var (text, itemNode, itemPath) in items)
        {
            if (!_declaredServers.Contains(text))
            {
                Error(itemPath, itemNode, $"`{Raw(itemNode)}` is not a server in `mcpServers`; {MemberHint(text)}");
                valid = false;
            }
            else if (members.Contains(text, StringComparer.Ordinal))
            {
                Error(itemPath, itemNode, $"`{text}` is listed twice; list each server once (the order decides which server owns a duplicated resource URI)");
                valid = false;
            }
            else
            {
                members.Add(text);
                if (config.FindServer(text) is { Enabled: false })
                {
                    Warning(itemPath, itemNode, $"server `{text}` is disabled (`enabled: false`), so this view leaves it out until it is enabled");
                }
            }
        }

        return valid ? members : null;
    }

    private string MemberHint(string name)
    {
        if (_declaredServers.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) is { } match)
        {
            return $"did you mean `{match}`? (names are case-sensitive)";
        }

        if (_declaredServers.Count == 0)
        {
            return "add the server under `mcpServers:` first";
        }

        const int shown = 10;
        var names = string.Join(", ", _declaredServers.Take(shown));
        return _declaredServers.Count > shown
            ? $"write one of the names under `mcpServers:` ({names}, ...)"
            : $"write one of {names}";
    }

    private void ReadOverrides(YamlNode node, string path, ViewDraft draft)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping from exposed name to changes, e.g. `{{ github__get_pull_request: {{ name: get_pr }} }}`, not a {KindOf(node)}");
            return;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var entryPath = Join(path, key);
            if (key.Length == 0)
            {
                Error(entryPath, keyNode, "an override needs the exposed name of a tool or prompt as its key, e.g. `github__get_pull_request`");
                continue;
            }

            if (IsNull(value))
            {
                Warning(entryPath, keyNode, "changes nothing; set `name`, `title`, `description`, `annotations` or `hidden`, or remove the entry");
                continue;
            }

            if (value is not YamlMappingNode fields)
            {
                Error(entryPath, value, $"must be a mapping of changes, e.g. `{{ name: get_pr, description: \"Fetch one pull request\" }}`, not a {KindOf(value)}");
                continue;
            }

            if (ReadOverride(fields, entryPath, draft) is { } item)
            {
                draft.Overrides[key] = item;
                draft.OverrideKeys.Add((key, keyNode, entryPath));
            }
        }
    }

    private ItemOverride? ReadOverride(YamlMappingNode map, string path, ViewDraft draft)
    {
        var errorCount = errors.Count;
        var item = new ItemOverride(null, null, null, null, false);
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            item = key switch
            {
                "name" => ReadOverrideName(value, keyPath, draft) is { } name ? item with { Name = name } : item,
                "title" => Text(value, keyPath, "a string") is { } title ? item with { Title = title } : item,
                "description" => Text(value, keyPath, "a string") is { } description ? item with { Description = description } : item,
                "annotations" => ReadAnnotations(value, keyPath) is { } annotations ? item with { Annotations = annotations } : item,
                "hidden" => ReadBoolean(value, keyPath) is { } hidden ? item with { Hidden = hidden } : item,
                _ => UnknownKey(keyPath, keyNode, OverrideKeys, item),
            };
        }

        return errors.Count > errorCount ? null : item;
    }

    private string? ReadOverrideName(YamlNode node, string path, ViewDraft draft)
    {
        if (Text(node, path, "a tool or prompt name") is not { } name)
        {
            return null;
        }

        if (!ExposedNamePattern().IsMatch(name))
        {
            Error(path, node, $"`{Raw(node)}` is not a valid tool or prompt name; use 1 to {MaxExposedNameLength} letters, digits, `_`, `.` or `-` (pattern ^[A-Za-z0-9_.-]{{1,{MaxExposedNameLength}}}$), e.g. get_pr");
            return null;
        }

        if (draft.NewNames.TryGetValue(name, out var first))
        {
            Error(path, node, $"`{name}` is already the new name in `{first.Path}` (line {LineOf(first.Node)}); give each override its own name");
            return null;
        }

        draft.NewNames[name] = (path, node);
        return name;
    }

    /// <summary>
    /// Tool annotations as JSON. The spec's hints must be booleans and <c>title</c> a string; other keys are kept as
    /// written (plain YAML scalars become booleans, numbers or null when they read as such, anything quoted stays a string).
    /// </summary>
    private JsonObject? ReadAnnotations(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping of tool annotations, e.g. `{{ readOnlyHint: true }}`, not a {KindOf(node)}");
            return null;
        }

        var errorCount = errors.Count;
        var annotations = new JsonObject();
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            if (IsNull(value))
            {
                annotations[key] = null;
            }
            else if (BooleanAnnotations.Contains(key, StringComparer.Ordinal))
            {
                annotations[key] = ReadBoolean(value, keyPath) is { } flag ? JsonValue.Create(flag) : null;
            }
            else if (key == "title")
            {
                annotations[key] = Text(value, keyPath, "a string") is { } title ? JsonValue.Create(title) : null;
            }
            else
            {
                if (BooleanAnnotations.FirstOrDefault(known => string.Equals(known, key, StringComparison.OrdinalIgnoreCase)) is { } match)
                {
                    Warning(keyPath, keyNode, $"not a known annotation, kept as written; did you mean `{match}`?");
                }

                annotations[key] = ToJson(value, keyPath);
            }
        }

        return errors.Count > errorCount ? null : annotations;
    }

    private JsonNode? ToJson(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, _, value) in Entries(map, path))
                {
                    obj[key] = ToJson(value, Join(path, key));
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(ToJson(sequence.Children[i], $"{path}[{i}]"));
                }

                return array;
            case YamlScalarNode scalar when IsNull(scalar):
                return null;
            default:
                if (Text(node, path, "a value") is not { } text)
                {
                    return null;
                }

                if (node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any })
                {
                    if (ConfigValueParser.TryParseBoolean(text, out var flag))
                    {
                        return JsonValue.Create(flag);
                    }

                    if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                    {
                        return JsonValue.Create(integer);
                    }

                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                    {
                        return JsonValue.Create(number);
                    }
                }

                return JsonValue.Create(text);
        }
    }

    /// <summary>
    /// Warnings for names a view can never match: under <c>naming: prefix</c> every exposed name starts with a
    /// member's name and the separator, so a glob or override key that cannot start that way is almost always the
    /// server's own name written where the exposed one belongs. <c>naming: none</c> across several members is allowed
    /// but only works while the members' names are distinct.
    /// </summary>
    private void CheckNames(VirtualServerConfig view, ViewDraft draft, string path, GatewayConfig config)
    {
        var members = view.Servers.Count > 0 ? view.Servers : [.. config.MembersOf(view).Select(server => server.Name)];
        if (view.Naming == NamingMode.None)
        {
            if (members.Count > 1)
            {
                Warning(Join(path, "naming"), draft.NamingNode, $"`naming: none` exposes the {members.Count} member servers' tool and prompt names unchanged, so names must be unique across members (a name two members share is reported as a conflict); use `naming: prefix` unless they are");
            }

            return;
        }

        // Every configured server could be a member of a view without `servers` once enabled; don't warn about those.
        var candidates = view.Servers.Count > 0 ? view.Servers : [.. config.Servers.Select(server => server.Name)];
        if (_separator is not { } separator || candidates.Count == 0)
        {
            return;
        }

        var prefixes = candidates.Select(server => server + separator).ToList();
        var example = prefixes[0];
        foreach (var (pattern, node, globPath) in draft.NameGlobs)
        {
            if (!MayMatchPrefixed(pattern, prefixes))
            {
                Warning(globPath, node, $"`{pattern}` matches no name this view exposes: with `naming: prefix` every name starts with a member server's name and `{separator}`; write e.g. `{example}{pattern}`, or start the glob with `*`");
            }
        }

        foreach (var (key, keyNode, entryPath) in draft.OverrideKeys)
        {
            if (key.Length > MaxExposedNameLength || !IsNameText(key))
            {
                Warning(entryPath, keyNode, $"`{key}` is not a name this view exposes, so the override never applies: with `naming: prefix` names are at most {MaxExposedNameLength} letters, digits, `_`, `.` and `-` (other characters become `_` and a hash is appended); copy the exposed name from the view's tools/list or prompts/list");
            }
            else if (!MayMatchPrefixed(key, prefixes))
            {
                Warning(entryPath, keyNode, $"`{key}` is not a name this view exposes, so the override never applies: with `naming: prefix` every name starts with a member server's name and `{separator}`, e.g. `{example}{key}`");
            }
            else if (!view.Tools.Allows(key) && !view.Prompts.Allows(key))
            {
                Warning(entryPath, keyNode, $"the view's `tools` and `prompts` filters hide `{key}`, so the override never applies; allow the name, or remove the override");
            }
        }
    }

    /// <summary>Whether some name <c>{prefix}{rest}</c> (non-empty rest) could match <paramref name="pattern"/>; errs toward yes.</summary>
    private static bool MayMatchPrefixed(string pattern, List<string> prefixes)
    {
        var literal = Glob.LiteralPrefix(pattern);
        var hasWildcard = literal.Length < pattern.Length;
        foreach (var prefix in prefixes)
        {
            if (literal.StartsWith(prefix, StringComparison.Ordinal) && (hasWildcard || literal.Length > prefix.Length))
            {
                return true;
            }

            if (hasWildcard && prefix.AsSpan().StartsWith(literal, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExposedNamePattern();

    /// <summary>What a view entry said beyond its record, with nodes for the cross-key checks.</summary>
    private sealed class ViewDraft
    {
        public YamlNode? NamingNode { get; set; }

        /// <summary>Tool and prompt globs (not resource ones: URIs are not renamed).</summary>
        public List<GlobEntry> NameGlobs { get; } = [];

        public Dictionary<string, ItemOverride> Overrides { get; } = new(StringComparer.Ordinal);

        public List<(string Key, YamlScalarNode KeyNode, string Path)> OverrideKeys { get; } = [];

        public Dictionary<string, (string Path, YamlNode Node)> NewNames { get; } = new(StringComparer.Ordinal);
    }
}
