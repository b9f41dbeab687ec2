using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpGateway.Protocol;

/// <summary>Reads and writes JSON-RPC messages with the SDK's source-generated contract.</summary>
/// <remarks>
/// <c>params</c> and <c>result</c> stay <see cref="System.Text.Json.Nodes.JsonNode"/>s, so fields the gateway does not
/// know pass through untouched.
/// </remarks>
internal static class McpWire
{
    /// <summary>The SDK's contract with relaxed escaping: bodies are JSON, never HTML, so <c>'</c>, <c>&lt;</c> and non-ASCII text stay as the upstream wrote them.</summary>
    public static readonly JsonSerializerOptions Options = new(McpJsonUtilities.DefaultOptions)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonTypeInfo<JsonRpcMessage> MessageTypeInfo = Options.GetTypeInfo<JsonRpcMessage>();

    /// <summary>Parses one message; on failure returns the JSON-RPC error to answer with (-32700 or -32600).</summary>
    public static JsonRpcMessage? Parse(ReadOnlySequence<byte> utf8, out JsonRpcError? error)
    {
        error = null;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                error = GatewayErrors.Create(default, GatewayErrors.ParseError, "Parse error: the request body is empty");
                return null;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    error = GatewayErrors.Create(default, GatewayErrors.InvalidRequest, "Invalid Request: JSON-RPC batches are not supported; send one message per request");
                    return null;
                case JsonTokenType.StartObject:
                    break;
                default:
                    error = GatewayErrors.Create(default, GatewayErrors.InvalidRequest, "Invalid Request: a JSON-RPC message must be a JSON object");
                    return null;
            }

            var message = JsonSerializer.Deserialize(ref reader, MessageTypeInfo);
            if (reader.Read())
            {
                error = GatewayErrors.Create(default, GatewayErrors.ParseError, "Parse error: unexpected data after the JSON-RPC message");
                return null;
            }

            if (message is null)
            {
                error = GatewayErrors.Create(default, GatewayErrors.InvalidRequest, "Invalid Request: null message");
            }

            return message;
        }
        catch (JsonException ex)
        {
            error = IsWellFormed(utf8)
                ? GatewayErrors.Create(default, GatewayErrors.InvalidRequest, $"Invalid Request: {ex.Message}")
                : GatewayErrors.Create(default, GatewayErrors.ParseError, $"Parse error: {FirstSentence(ex.Message)}");
            return null;
        }
    }

    /// <summary>Reads a request id (string or integer) as it appears inside params, e.g. in <c>notifications/cancelled</c>.</summary>
    public static bool TryReadRequestId(System.Text.Json.Nodes.JsonNode? node, out RequestId id)
    {
        if (node is System.Text.Json.Nodes.JsonValue value)
        {
            if (value.TryGetValue(out long number))
            {
                id = new RequestId(number);
                return true;
            }

            if (value.TryGetValue(out string? text) && text is not null)
            {
                id = new RequestId(text);
                return true;
            }
        }

        id = default;
        return false;
    }

    public static byte[] Serialize(JsonRpcMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, MessageTypeInfo);

    public static void Serialize(Utf8JsonWriter writer, JsonRpcMessage message) => JsonSerializer.Serialize(writer, message, MessageTypeInfo);

    /// <summary>Distinguishes malformed JSON (-32700) from well-formed JSON that is not a JSON-RPC message (-32600).</summary>
    private static bool IsWellFormed(ReadOnlySequence<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
