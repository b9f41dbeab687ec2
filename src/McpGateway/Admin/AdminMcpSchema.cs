using System.Text.Json.Nodes;

namespace McpGateway.Admin;

/// <summary>
/// Checks tool arguments against the management tools' own input schemas. The schemas are hand-written and use a
/// small subset of JSON Schema (type, properties, required, additionalProperties: false, enum, items, minLength), so
/// this checks exactly that subset: what the schema promises is what the server enforces.
/// </summary>
internal static class AdminMcpSchema
{
    public static JsonObject Object(JsonObject properties, params string[] required)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        if (required.Length > 0)
        {
            schema["required"] = new JsonArray([.. required.Select(name => (JsonNode)name)]);
        }

        return schema;
    }

    public static JsonObject String(string description, int minLength = 0) => minLength > 0
        ? new JsonObject { ["type"] = "string", ["minLength"] = minLength, ["description"] = description }
        : new JsonObject { ["type"] = "string", ["description"] = description };

    public static JsonObject Enum(string description, params string[] values) => new()
    {
        ["type"] = "string",
        ["enum"] = new JsonArray([.. values.Select(value => (JsonNode)value)]),
        ["description"] = description,
    };

    public static JsonObject Boolean(string description) => new() { ["type"] = "boolean", ["description"] = description };

    public static JsonObject StringArray(string description) => new()
    {
        ["type"] = "array",
        ["items"] = new JsonObject { ["type"] = "string" },
        ["description"] = description,
    };

    public static JsonObject StringMap(string description) => new()
    {
        ["type"] = "object",
        ["additionalProperties"] = new JsonObject { ["type"] = "string" },
        ["description"] = description,
    };

    /// <summary>Every way <paramref name="value"/> breaks <paramref name="schema"/>, as (path, message); empty when it fits.</summary>
    public static List<FieldError> Validate(JsonObject schema, JsonNode? value)
    {
        var errors = new List<FieldError>();
        Check(schema, value, string.Empty, errors);
        return errors;
    }

    private static void Check(JsonObject schema, JsonNode? value, string path, List<FieldError> errors)
    {
        var type = (string?)schema["type"];
        var field = path.Length == 0 ? "arguments" : path;
        if (type is not null && !HasType(value, type))
        {
            errors.Add(new FieldError(field, $"must be {(type is "array" or "object" ? "an" : "a")} {type}, not {Describe(value)}"));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(option => JsonNode.DeepEquals(option, value)))
        {
            errors.Add(new FieldError(field, $"must be one of {string.Join(", ", allowed.Select(option => option?.ToJsonString()))}"));
        }

        if (schema["minLength"] is JsonValue min && min.GetValue<int>() is var length && value is JsonValue text && text.GetValue<string>().Length < length)
        {
            errors.Add(new FieldError(field, $"must not be empty (at least {length} character{(length == 1 ? "" : "s")})"));
        }

        if (value is JsonArray items && schema["items"] is JsonObject itemSchema)
        {
            for (var index = 0; index < items.Count; index++)
            {
                Check(itemSchema, items[index], $"{path}[{index}]", errors);
            }
        }

        if (value is not JsonObject members)
        {
            return;
        }

        var properties = schema["properties"] as JsonObject;
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(node => (string)node!))
            {
                if (!members.ContainsKey(name))
                {
                    errors.Add(new FieldError(Join(path, name), "is required"));
                }
            }
        }

        foreach (var (name, member) in members)
        {
            if (properties?[name] is JsonObject propertySchema)
            {
                Check(propertySchema, member, Join(path, name), errors);
            }
            else if (schema["additionalProperties"] is JsonObject extraSchema)
            {
                Check(extraSchema, member, Join(path, name), errors);
            }
            else if (schema["additionalProperties"] is JsonValue extra && !extra.GetValue<bool>())
            {
                var known = properties is null ? "none" : string.Join(", ", properties.Select(pair => pair.Key));
                errors.Add(new FieldError(Join(path, name), $"is not a parameter of this tool (parameters: {known})"));
            }
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static bool HasType(JsonNode? value, string type) => type switch
    {
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue text && text.GetValueKind() == System.Text.Json.JsonValueKind.String,
        "boolean" => value is JsonValue flag && flag.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
        _ => true,
    };

    private static string Describe(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => value.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "a string",
            System.Text.Json.JsonValueKind.Number => "a number",
            _ => "a boolean",
        },
    };
}
