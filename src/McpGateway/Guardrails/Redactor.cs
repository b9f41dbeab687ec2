using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpGateway.Configuration;

namespace McpGateway.Guardrails;

/// <summary>
/// The compiled form of one <see cref="RedactionOptions"/>: each detector or pattern replaces its matches in a text
/// with the configured replacement, and counts them. Built-in detectors: <c>email</c>, <c>creditCard</c> (13 to 19
/// digits, spaces or dashes between, passing the Luhn check) and <c>apiKey</c> (AWS access key ids, GitHub, Slack,
/// OpenAI, Stripe and Google keys, and JWT-shaped tokens).
/// </summary>
internal sealed partial class Redactor
{
    private static readonly ConditionalWeakTable<RedactionOptions, Redactor> Compiled = new();

    private readonly Rule[] _rules;

    private Redactor(RedactionOptions options)
    {
        var rules = new List<Rule>();
        foreach (var detector in options.Detectors)
        {
            var regex = detector switch
            {
                "email" => Email(),
                "creditCard" => CardNumber(),
                "apiKey" => ApiKey(),
                _ => null,
            };
            if (regex is not null)
            {
                rules.Add(new Rule(detector, regex, Replacement(options, detector), detector == "creditCard"));
            }
        }

        foreach (var pattern in options.Patterns)
        {
            rules.Add(new Rule(pattern.Name, pattern.Regex, Replacement(options, pattern.Name), LuhnOnly: false));
        }

        _rules = [.. rules];
    }

    /// <summary>True when nothing would ever be replaced (e.g. a view's <c>redact: false</c>).</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>The compiled redactor of a config record; compiled once per record (a reload makes new records).</summary>
    public static Redactor For(RedactionOptions options) => Compiled.GetValue(options, static o => new Redactor(o));

    /// <summary>
    /// Redacts the text a client sees of one answer in place: text content, embedded resource text and every string of
    /// <c>structuredContent</c> (tools/call), and text contents (resources/read). Reports each rule that matched.
    /// </summary>
    public void Apply(JsonObject result, Action<string, int> matched)
    {
        if (result["content"] is JsonArray content)
        {
            foreach (var item in content)
            {
                if (item is not JsonObject block)
                {
                    continue;
                }

                RedactProperty(block, "text", matched);
                if (block["resource"] is JsonObject resource)
                {
                    RedactProperty(resource, "text", matched);
                }
            }
        }

        if (result["structuredContent"] is { } structured)
        {
            result["structuredContent"] = RedactStrings(structured, matched);
        }

        if (result["contents"] is JsonArray contents)
        {
            foreach (var item in contents)
            {
                if (item is JsonObject entry)
                {
                    RedactProperty(entry, "text", matched);
                }
            }
        }
    }

    /// <summary>Redacts one text; returns it unchanged (same instance) when nothing matched.</summary>
    public string Redact(string text, Action<string, int>? matched)
    {
        foreach (var rule in _rules)
        {
            var count = 0;
            string replaced;
            try
            {
                replaced = rule.Regex.Replace(text, match =>
                {
                    if (rule.LuhnOnly && !PassesLuhn(match.ValueSpan))
                    {
                        return match.Value;
                    }

                    count++;
                    return rule.Replacement;
                });
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological text against an operator's pattern: hide the whole text rather than leak it.
                count = 1;
                replaced = rule.Replacement;
            }

            if (count > 0)
            {
                text = replaced;
                matched?.Invoke(rule.Name, count);
            }
        }

        return text;
    }

    private void RedactProperty(JsonObject owner, string property, Action<string, int> matched)
    {
        if (owner[property] is JsonValue value && value.TryGetValue(out string? text))
        {
            var redacted = Redact(text, matched);
            if (!ReferenceEquals(redacted, text))
            {
                owner[property] = redacted;
            }
        }
    }

    private JsonNode? RedactStrings(JsonNode? node, Action<string, int> matched)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var child = obj[key];
                    var redacted = RedactStrings(child, matched);
                    if (!ReferenceEquals(redacted, child))
                    {
                        obj[key] = redacted;
                    }
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    var redacted = RedactStrings(child, matched);
                    if (!ReferenceEquals(redacted, child))
                    {
                        array[i] = redacted;
                    }
                }

                return array;
            case JsonValue value when value.TryGetValue(out string? text):
                var result = Redact(text, matched);
                return ReferenceEquals(result, text) ? value : JsonValue.Create(result);
            default:
                return node;
        }
    }

    private static string Replacement(RedactionOptions options, string name) => options.Replacement.Replace("{name}", name, StringComparison.Ordinal);

    private static bool PassesLuhn(ReadOnlySpan<char> candidate)
    {
        int sum = 0, digits = 0;
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            var c = candidate[i];
            if (c is < '0' or > '9')
            {
                continue;
            }

            var digit = c - '0';
            if (digits++ % 2 == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Email();

    // Digits with single spaces or dashes between them; Luhn and the digit count decide afterwards.
    [GeneratedRegex(@"(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])", RegexOptions.CultureInvariant, 100)]
    private static partial Regex CardNumber();

    [GeneratedRegex(
        @"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|xox[abposr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}|rk_live_[A-Za-z0-9]{16,}|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
        RegexOptions.CultureInvariant, 100)]
    private static partial Regex ApiKey();

    private sealed record Rule(string Name, Regex Regex, string Replacement, bool LuhnOnly);
}
