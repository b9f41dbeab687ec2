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
    /// <remarks>
    /// Read through a <see cref="JsonDocument"/> of the tool's text rather than by walking its nodes: walking would turn
    /// the listing's lazily parsed schemas into full node trees, which every later copy of the listing (a view's pages)
    /// would then have to copy node by node.
    /// </remarks>
    public static string Canonical(JsonObject tool)
    {
        using var document = JsonDocument.Parse(tool.ToJsonString());
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var field in PinnedFields)
            {
                if (document.RootElement.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
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

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new List<JsonProperty>();
                foreach (var property in element.EnumerateObject())
                {
                    properties.Add(property);
                }

                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
