using System.Text.Json.Nodes;

namespace McpGateway.Configuration;

/// <summary>
/// Where a server definition keeps secrets — header values, environment values, <c>auth.clientSecret</c> — and the
/// same for the file's settings (admin token, JWT shared secret, OTLP headers). A pure <c>${VAR}</c> reference is not
/// a secret (the value lives in the environment) and is left alone. Shared by masking and encryption at rest.
/// </summary>
internal static class SecretFields
{
    private static readonly string[] ValueMaps = ["headers", "additionalHeaders", "env"];

    /// <summary>Replaces every secret of one server definition with what <paramref name="replace"/> makes of it.</summary>
    public static void ReplaceInServer(JsonObject definition, Func<JsonNode?, JsonNode?> replace)
    {
        foreach (var key in ValueMaps)
        {
            if (definition[key] is JsonObject values)
            {
                ReplaceValues(values, replace);
            }
        }

        if (definition["auth"] is JsonObject auth)
        {
            ReplaceOne(auth, "clientSecret", replace);
        }
    }

    /// <summary>Replaces the secrets among a config file's top-level settings.</summary>
    public static void ReplaceInSettings(JsonObject settings, Func<JsonNode?, JsonNode?> replace)
    {
        if (settings["gateway"] is JsonObject gateway)
        {
            ReplaceOne(gateway, "adminToken", replace);
        }

        if (settings["auth"]?["jwt"] is JsonObject jwt)
        {
            ReplaceOne(jwt, "sharedSecret", replace);
        }

        if (settings["storage"]?["keyRing"] is JsonObject keyRing)
        {
            ReplaceOne(keyRing, "password", replace);
        }

        if (settings["observability"]?["otlp"]?["headers"] is JsonObject otlpHeaders)
        {
            ReplaceValues(otlpHeaders, replace);
        }
    }

    public static bool IsReference(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) && IsReference(text);

    /// <summary>True for exactly <c>${NAME}</c>: the whole value comes from the environment.</summary>
    public static bool IsReference(string text) => text.StartsWith("${", StringComparison.Ordinal) && text.EndsWith('}') && text.IndexOf('}') == text.Length - 1;

    private static void ReplaceValues(JsonObject values, Func<JsonNode?, JsonNode?> replace)
    {
        foreach (var name in values.Select(pair => pair.Key).ToList())
        {
            ReplaceOne(values, name, replace);
        }
    }

    private static void ReplaceOne(JsonObject parent, string key, Func<JsonNode?, JsonNode?> replace)
    {
        if (parent.TryGetPropertyValue(key, out var value) && value is not null && !IsReference(value))
        {
            parent[key] = replace(value.DeepClone());
        }
    }
}
