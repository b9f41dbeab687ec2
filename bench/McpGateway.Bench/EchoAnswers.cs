using System.Buffers;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>
/// The answers of the bench's echo servers (over HTTP and over stdio alike): <c>initialize</c>, <c>tools/list</c>
/// (from pre-serialized bytes), <c>tools/call</c> (<c>echo</c> returns its <c>message</c>), <c>ping</c>. Hand-written
/// on <see cref="Utf8JsonWriter"/>, no SDK, so the servers cost as little as possible next to what is measured.
/// </summary>
internal sealed class EchoAnswers
{
    private static readonly string[] KnownVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    private readonly byte[][] _toolsListResults;

    public EchoAnswers(int servers, int toolsPerServer)
    {
        _toolsListResults = new byte[servers][];
        for (var i = 0; i < servers; i++)
        {
            _toolsListResults[i] = BuildToolsList(i, toolsPerServer);
        }
    }

    public int ToolsListBytes(int server) => _toolsListResults[server].Length;

    /// <summary>Writes the response to request <paramref name="method"/> (with <paramref name="id"/>) of server <paramref name="server"/>.</summary>
    public void Write(int server, string method, JsonElement id, JsonElement message, ArrayBufferWriter<byte> output)
    {
        var parameters = message.TryGetProperty("params"u8, out var p) ? p : default;
        if (method == "initialize")
        {
            var requested = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("protocolVersion"u8, out var v) ? v.GetString() : null;
            var version = requested is not null && Array.IndexOf(KnownVersions, requested) >= 0 ? requested : "2025-06-18";
            using var w = Begin(output, id);
            w.WriteStartObject("result");
            w.WriteString("protocolVersion", version);
            w.WriteStartObject("capabilities");
            w.WriteStartObject("tools");
            w.WriteBoolean("listChanged", false);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("serverInfo");
            w.WriteString("name", $"fake-s{server}");
            w.WriteString("version", "1.0.0");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }

        switch (method)
        {
            case "tools/list":
            {
                using var w = Begin(output, id);
                w.WritePropertyName("result"u8);
                w.WriteRawValue(_toolsListResults[server], skipInputValidation: true);
                w.WriteEndObject();
                return;
            }

            case "tools/call":
            {
                var name = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("name"u8, out var n) ? n.GetString() : null;
                var arguments = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("arguments"u8, out var a) ? a : default;
                using var w = Begin(output, id);
                if (name is null || !(name == "echo" || name.StartsWith("tool", StringComparison.Ordinal)))
                {
                    w.WriteStartObject("error");
                    w.WriteNumber("code", -32602);
                    w.WriteString("message", $"Unknown tool: {name}");
                    w.WriteEndObject();
                    w.WriteEndObject();
                    return;
                }

                w.WriteStartObject("result");
                w.WriteStartArray("content");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WritePropertyName("text"u8);
                if (name == "echo" && arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty("message"u8, out var text) && text.ValueKind == JsonValueKind.String)
                {
                    text.WriteTo(w);
                }
                else
                {
                    w.WriteStringValue("ok");
                }

                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteBoolean("isError", false);
                w.WriteEndObject();
                w.WriteEndObject();
                return;
            }

            case "ping":
            {
                using var w = Begin(output, id);
                w.WriteStartObject("result");
                w.WriteEndObject();
                w.WriteEndObject();
                return;
            }

            default:
            {
                using var w = Begin(output, id);
                w.WriteStartObject("error");
                w.WriteNumber("code", -32601);
                w.WriteString("message", $"Method not found: {method}");
                w.WriteEndObject();
                w.WriteEndObject();
                return;
            }
        }
    }

    /// <summary>Starts <c>{"jsonrpc":"2.0","id":…</c>; the caller writes result or error and the closing brace.</summary>
    private static Utf8JsonWriter Begin(ArrayBufferWriter<byte> output, JsonElement id)
    {
        var w = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        w.WriteStartObject();
        w.WriteString("jsonrpc"u8, "2.0"u8);
        w.WritePropertyName("id"u8);
        id.WriteTo(w);
        return w;
    }

    /// <summary>The <c>result</c> of one server's tools/list: <c>echo</c> plus tool01…, with realistic descriptions and schemas.</summary>
    private static byte[] BuildToolsList(int server, int tools)
    {
        var output = new ArrayBufferWriter<byte>(tools * 400);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteStartArray("tools");
            for (var t = 0; t < tools; t++)
            {
                var name = t == 0 ? "echo" : $"tool{t:00}";
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("description", t == 0
                    ? "Returns the message it is given, unchanged."
                    : $"Tool {t} of fake server s{server}: does nothing useful, but its description is about as long as a real one.");
                w.WriteStartObject("inputSchema");
                w.WriteString("type", "object");
                w.WriteStartObject("properties");
                w.WriteStartObject("message");
                w.WriteString("type", "string");
                w.WriteString("description", "Text to process");
                w.WriteEndObject();
                w.WriteStartObject("count");
                w.WriteString("type", "integer");
                w.WriteNumber("minimum", 0);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartArray("required");
                w.WriteStringValue("message");
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("annotations");
                w.WriteBoolean("readOnlyHint", true);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

}
