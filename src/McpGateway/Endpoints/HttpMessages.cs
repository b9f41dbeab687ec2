using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Protocol;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Protocol;

namespace McpGateway.Endpoints;

/// <summary>Reading JSON-RPC from request bodies and writing it as JSON or Server-Sent Events.</summary>
internal static class HttpMessages
{
    private static readonly byte[] SseEventPrefix = "event: message\ndata: "u8.ToArray();
    private static readonly byte[] SseEventSuffix = "\n\n"u8.ToArray();

    /// <summary>The outcome of reading one request body.</summary>
    public readonly record struct ReadResult(JsonRpcMessage? Message, int Status, JsonRpcError? Error);

    public static async Task<ReadResult> ReadMessageAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return TooLarge(limit);
            }

            if (result.IsCompleted)
            {
                var message = McpWire.Parse(buffer, out var error);
                reader.AdvanceTo(buffer.End);
                return message is null
                    ? new ReadResult(null, StatusCodes.Status400BadRequest, error)
                    : new ReadResult(message, StatusCodes.Status200OK, null);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static ReadResult TooLarge(long limit) => new(null, StatusCodes.Status413PayloadTooLarge,
        GatewayErrors.Create(default, GatewayErrors.InvalidRequest, $"Request body exceeds the gateway's limit of {limit} bytes (gateway.maxRequestBodyBytes)"));

    public static async Task WriteJsonAsync(HttpResponse response, JsonRpcMessage message, int status = StatusCodes.Status200OK)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        Write(response.BodyWriter, message);
        await response.BodyWriter.FlushAsync(response.HttpContext.RequestAborted);
    }

    /// <summary>A plain JSON error body for failures outside JSON-RPC (unknown server, bad method).</summary>
    public static async Task WriteProblemAsync(HttpResponse response, int status, string error, string? server = null)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var body = new JsonObject { ["error"] = error };
        if (server is not null)
        {
            body["server"] = server;
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = McpWire.Options.Encoder }))
        {
            body.WriteTo(writer);
        }

        await response.BodyWriter.FlushAsync(response.HttpContext.RequestAborted);
    }

    public static void StartEventStream(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static async ValueTask WriteEventAsync(PipeWriter writer, JsonRpcMessage message, CancellationToken cancellationToken, string? eventId = null)
    {
        if (eventId is not null)
        {
            writer.Write(System.Text.Encoding.UTF8.GetBytes($"id: {eventId}\n"));
        }

        writer.Write(SseEventPrefix);
        Write(writer, message);
        writer.Write(SseEventSuffix);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>An event with an id and no data: gives the client a Last-Event-ID before anything else is sent (2025-11-25).</summary>
    public static async ValueTask WritePrimingEventAsync(PipeWriter writer, string eventId, int retryMilliseconds, CancellationToken cancellationToken)
    {
        writer.Write(System.Text.Encoding.UTF8.GetBytes($"id: {eventId}\nretry: {retryMilliseconds}\ndata: \n\n"));
        await writer.FlushAsync(cancellationToken);
    }

    public static async ValueTask WriteRawEventAsync(PipeWriter writer, string eventName, string data, CancellationToken cancellationToken)
    {
        writer.Write(System.Text.Encoding.UTF8.GetBytes($"event: {eventName}\ndata: {data}\n\n"));
        await writer.FlushAsync(cancellationToken);
    }

    private static void Write(IBufferWriter<byte> output, JsonRpcMessage message)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, Encoder = McpWire.Options.Encoder });
        McpWire.Serialize(writer, message);
    }
}
