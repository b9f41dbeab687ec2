using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>The top-level <c>guardrails:</c> section and a view's <c>redact:</c>.</summary>
internal sealed partial class ConfigReader
{
    private const string GuardrailsKey = "guardrails";

    private const string RedactExample = "{ detectors: [email, creditCard, apiKey], patterns: [{ name: ticket, regex: \"TCK-[0-9]+\" }] }";

    /// <summary>Names of the built-in detectors (Guardrails/RedactionDetectors implements them).</summary>
    public static readonly string[] RedactionDetectorNames = ["email", "creditCard", "apiKey"];

    private static readonly string[] GuardrailKeys = ["validateArguments", "blockedTools", "redact", "pinTools", "pinning"];

    private static readonly string[] PinningKeys = ["approveNew"];

    private static readonly string[] RedactKeys = ["detectors", "patterns", "replacement"];

    private static readonly string[] RedactPatternKeys = ["name", "regex"];

    private GuardrailOptions ReadGuardrails(YamlNode node, string path)
    {
        var options = GuardrailOptions.Default;
        if (IsNull(node))
        {
            return options;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, "must be a mapping, e.g. `{ validateArguments: true, blockedTools: [\"*__delete_*\"] }`");
            return options;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            switch (key)
            {
                case "validateArguments":
                    options = ReadBoolean(value, keyPath) is { } validate ? options with { ValidateArguments = validate } : options;
                    break;
                case "blockedTools":
                    options = ReadStringList(value, keyPath, "[\"*__delete_*\", \"shell__*\"]") is { } globs
                        ? options with { BlockedTools = new ItemFilter([], [.. globs.Select(g => g.Text)]) }
                        : options;
                    break;
                case "redact":
                    options = options with { Redact = ReadRedact(value, keyPath, allowOff: false) };
                    break;
                case "pinTools":
                    options = ReadBoolean(value, keyPath) is { } pin ? options with { PinTools = pin } : options;
                    break;
                case "pinning":
                    options = ReadPinning(value, keyPath, options);
                    break;
                default:
                    UnknownKey(keyPath, keyNode, GuardrailKeys);
                    break;
            }
        }

        return options;
    }

    private GuardrailOptions ReadPinning(YamlNode node, string path, GuardrailOptions options)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, "must be a mapping, e.g. `{ approveNew: false }`");
            return options;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (key == "approveNew")
            {
                options = ReadBoolean(value, Join(path, key)) is { } approve ? options with { ApproveNewTools = approve } : options;
            }
            else
            {
                UnknownKey(Join(path, key), keyNode, PinningKeys);
            }
        }

        return options;
    }

    /// <summary>A <c>redact:</c> mapping; <c>false</c> (views only) turns redaction off and reads as <see cref="RedactionOff"/>.</summary>
    private RedactionOptions? ReadRedact(YamlNode node, string path, bool allowOff)
    {
        if (allowOff && node is YamlScalarNode scalar && ConfigValueParser.TryParseBoolean(scalar.Value ?? string.Empty, out var enabled) && !enabled)
        {
            return RedactionOff;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping, e.g. `{RedactExample}`{(allowOff ? ", or false to turn redaction off for this view" : string.Empty)}");
            return null;
        }

        var options = new RedactionOptions();
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            switch (key)
            {
                case "detectors":
                    if (ReadStringList(value, keyPath, "[email, creditCard, apiKey]") is { } detectors)
                    {
                        foreach (var (text, itemNode, itemPath) in detectors.Where(d => !RedactionDetectorNames.Contains(d.Text, StringComparer.Ordinal)))
                        {
                            Error(itemPath, itemNode, $"`{text}` is not a detector; write one of {string.Join(", ", RedactionDetectorNames)}, or add a pattern");
                        }

                        options = options with { Detectors = [.. detectors.Select(d => d.Text).Distinct(StringComparer.Ordinal)] };
                    }

                    break;
                case "patterns":
                    options = options with { Patterns = ReadRedactPatterns(value, keyPath) };
                    break;
                case "replacement":
                    options = Text(value, keyPath, "a string such as \"[REDACTED:{name}]\"") is { } replacement ? options with { Replacement = replacement } : options;
                    break;
                default:
                    UnknownKey(keyPath, keyNode, RedactKeys);
                    break;
            }
        }

        return options;
    }

    /// <summary>A view's <c>redact: false</c>: nothing is redacted there, whatever the global section says.</summary>
    public static readonly RedactionOptions RedactionOff = new() { Replacement = string.Empty };

    private List<RedactionPattern> ReadRedactPatterns(YamlNode node, string path)
    {
        var patterns = new List<RedactionPattern>();
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, node, "must be a list, e.g. `[{ name: ticket, regex: \"TCK-[0-9]+\" }]`");
            return patterns;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (sequence.Children[i] is not YamlMappingNode item)
            {
                Error(itemPath, sequence.Children[i], "must be a mapping `{ name: ticket, regex: \"TCK-[0-9]+\" }`");
                continue;
            }

            string? name = null;
            (string Text, YamlNode Node)? regex = null;
            foreach (var (key, keyNode, value) in Entries(item, itemPath))
            {
                switch (key)
                {
                    case "name":
                        name = ReadNonEmptyString(value, Join(itemPath, key), "a name for the replacement text, e.g. ticket");
                        break;
                    case "regex":
                        regex = Text(value, Join(itemPath, key), "a regular expression") is { } text ? (text, value) : null;
                        break;
                    default:
                        UnknownKey(Join(itemPath, key), keyNode, RedactPatternKeys);
                        break;
                }
            }

            if (name is null || regex is null)
            {
                Error(itemPath, item, "needs both `name` and `regex`, e.g. `{ name: ticket, regex: \"TCK-[0-9]+\" }`");
                continue;
            }

            try
            {
                patterns.Add(new RedactionPattern(name, new Regex(regex.Value.Text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))));
            }
            catch (ArgumentException ex)
            {
                Error(Join(itemPath, "regex"), regex.Value.Node, $"is not a valid regular expression ({ex.Message}); fix the pattern (.NET syntax)");
            }
        }

        return patterns;
    }
}
