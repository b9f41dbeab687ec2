using System.Text;
using System.Text.Json.Nodes;

namespace McpGateway.Guardrails;

/// <summary>
/// What changed between two pinned tool definitions, for the log and the admin API: the fields that differ, the old and
/// new description (truncated), and for schemas and annotations the JSON paths that differ (paths only, never values).
/// </summary>
internal static class ToolDefinitionDiff
{
    private const int MaxText = 160;
    private const int MaxPaths = 20;

    /// <summary>One line per changed field; "new tool" when there is nothing to compare with.</summary>
    public static string Describe(string? approvedCanonical, string pendingCanonical)
    {
        if (approvedCanonical is null)
        {
            return "new tool (not approved yet)";
        }

        var before = JsonNode.Parse(approvedCanonical) as JsonObject ?? [];
        var after = JsonNode.Parse(pendingCanonical) as JsonObject ?? [];
        var parts = new List<string>();
        foreach (var field in ToolDefinition.PinnedFields)
        {
            var old = before[field];
            var now = after[field];
            if (JsonNode.DeepEquals(old, now))
            {
                continue;
            }

            if (field is "description" or "title" or "name")
            {
                parts.Add($"{field}: {Quote(old)} -> {Quote(now)}");
                continue;
            }

            var paths = new List<string>();
            CollectPaths(old, now, string.Empty, paths);
            var shown = string.Join(", ", paths.Take(MaxPaths));
            parts.Add(paths.Count > MaxPaths ? $"{field} changed at {shown} and {paths.Count - MaxPaths} more" : $"{field} changed at {shown}");
        }

        return parts.Count == 0 ? "no pinned field differs" : string.Join("; ", parts);
    }

    private static string Quote(JsonNode? text)
    {
        if (text is null)
        {
            return "(none)";
        }

        var value = text is JsonValue v && v.TryGetValue(out string? s) ? s : text.ToJsonString();
        var builder = new StringBuilder(Math.Min(value.Length, MaxText) + 8).Append('"');
        foreach (var c in value.Length > MaxText ? value.AsSpan(0, MaxText) : value.AsSpan())
        {
            // One log line: control characters (newlines in a description) would let an upstream forge log lines.
            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        builder.Append('"');
        if (value.Length > MaxText)
        {
            builder.Append($"…(+{value.Length - MaxText} chars)");
        }

        return builder.ToString();
    }

    /// <summary>JSON Pointer paths (RFC 6901) where <paramref name="old"/> and <paramref name="now"/> differ.</summary>
    private static void CollectPaths(JsonNode? old, JsonNode? now, string path, List<string> paths)
    {
        switch (old, now)
        {
            case (JsonObject a, JsonObject b):
                var keys = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var (key, _) in a)
                {
                    keys.Add(key);
                }

                foreach (var (key, _) in b)
                {
                    keys.Add(key);
                }

                foreach (var key in keys)
                {
                    var child = $"{path}/{Escape(key)}";
                    if (!a.ContainsKey(key))
                    {
                        paths.Add(child + " (added)");
                    }
                    else if (!b.ContainsKey(key))
                    {
                        paths.Add(child + " (removed)");
                    }
                    else
                    {
                        CollectPaths(a[key], b[key], child, paths);
                    }
                }

                break;
            case (JsonArray a, JsonArray b):
                for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
                {
                    var child = $"{path}/{i}";
                    if (i >= a.Count)
                    {
                        paths.Add(child + " (added)");
                    }
                    else if (i >= b.Count)
                    {
                        paths.Add(child + " (removed)");
                    }
                    else
                    {
                        CollectPaths(a[i], b[i], child, paths);
                    }
                }

                break;
            default:
                if (!JsonNode.DeepEquals(old, now))
                {
                    paths.Add(path.Length == 0 ? "/" : path);
                }

                break;
        }
    }

    private static string Escape(string key)
    {
        var escaped = key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
        var builder = new StringBuilder(escaped.Length);
        foreach (var c in escaped)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }
}
