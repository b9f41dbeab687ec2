using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Guardrails;

/// <summary>
/// The pinned part of a tool's listing (name, title, description, inputSchema, outputSchema, annotations) as canonical
/// JSON (object keys sorted ordinally, no whitespace) and its SHA-256. Other fields (<c>_meta</c>, icons, …) may change
/// freely: they do not change what the model is told the tool does.
/// </summary>
internal static class ToolDefinition
{
    /// <summary>The pinned fields, in ordinal order (the canonical object lists them so).</summary>
    public static readonly string[] PinnedFields = ["annotations", "description", "inputSchema", "name", "outputSchema", "title"];

    /// <summary>Canonical JSON of the pinned fields of <paramref name="tool"/>.</summary>
    public static string Canonical(JsonObject tool)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in PinnedFields)
            {
                if (tool.TryGetPropertyValue(field, out var value) && value is not null)
                {
                    writer.WritePropertyName(field);
                    WriteCanonical(writer, value);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="canonical"/>.</summary>
    public static string Hash(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                var keys = new List<string>(obj.Count);
                foreach (var (key, _) in obj)
                {
                    keys.Add(key);
                }

                keys.Sort(StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, obj[key]);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
