using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.ConformanceServer;

/// <summary>
/// The tools named by the conformance suite's server scenarios (package <c>@modelcontextprotocol/conformance</c>,
/// <c>src/scenarios/server/tools.ts</c>, <c>json-schema-2020-12.ts</c>, <c>elicitation-*.ts</c>, <c>sse-polling.ts</c>).
/// Declared as raw protocol <see cref="Tool"/>s so the wire shape (input schemas included) is exactly what is written here.
/// </summary>
internal static class ConformanceTools
{
    private const string NoArguments = """{"type":"object","properties":{}}""";

    public static IReadOnlyList<Tool> All { get; } =
    [
        Define("test_simple_text", "Returns simple text content."),
        Define("test_image_content", "Returns image content (a 1x1 PNG)."),
        Define("test_audio_content", "Returns audio content (a short WAV)."),
        Define("test_embedded_resource", "Returns an embedded text resource."),
        Define("test_multiple_content_types", "Returns text, image and embedded resource content together."),
        Define("test_tool_with_logging", "Sends three info log notifications while it runs."),
        Define("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100 when the request carries a progress token."),
        Define("test_error_handling", "Always fails with isError: true."),
        Define("test_sampling", "Asks the client for an LLM completion (sampling/createMessage).", """
            {"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},"required":["prompt"]}
            """),
        Define("test_elicitation", "Asks the user for input (elicitation/create).", """
            {"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},"required":["message"]}
            """),
        Define("test_elicitation_sep1034_defaults", "Elicitation whose schema has defaults for every primitive type (SEP-1034)."),
        Define("test_elicitation_sep1330_enums", "Elicitation whose schema has all five enum forms (SEP-1330)."),
        Define("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features", """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "$defs": {
                "address": {
                  "type": "object",
                  "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
                }
              },
              "properties": { "name": { "type": "string" }, "address": { "$ref": "#/$defs/address" } },
              "additionalProperties": false
            }
            """),
        Define("test_reconnection", "Closes the SSE response stream before answering, so the client must resume with Last-Event-ID (SEP-1699)."),
    ];

    public static ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListToolsResult { Tools = [.. All] });

    public static async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var name = request.Params?.Name;
        return name switch
        {
            "test_simple_text" => Text("This is a simple text response for testing."),
            "test_image_content" => new CallToolResult { Content = [ImageContentBlock.FromBytes(TestMedia.Png, "image/png")] },
            "test_audio_content" => new CallToolResult { Content = [AudioContentBlock.FromBytes(TestMedia.Wav, "audio/wav")] },
            "test_embedded_resource" => new CallToolResult
            {
                Content =
                [
                    new EmbeddedResourceBlock
                    {
                        Resource = new TextResourceContents
                        {
                            Uri = "test://embedded-resource",
                            MimeType = "text/plain",
                            Text = "This is an embedded resource content.",
                        },
                    },
                ],
            },
            "test_multiple_content_types" => new CallToolResult
            {
                Content =
                [
                    new TextContentBlock { Text = "Multiple content types test:" },
                    ImageContentBlock.FromBytes(TestMedia.Png, "image/png"),
                    new EmbeddedResourceBlock
                    {
                        Resource = new TextResourceContents
                        {
                            Uri = "test://mixed-content-resource",
                            MimeType = "application/json",
                            Text = """{"test":"data","value":123}""",
                        },
                    },
                ],
            },
            "test_tool_with_logging" => await WithLoggingAsync(request, cancellationToken),
            "test_tool_with_progress" => await WithProgressAsync(request, cancellationToken),
            "test_error_handling" => new CallToolResult
            {
                IsError = true,
                Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }],
            },
            "test_sampling" => Sampling(request),
            "test_elicitation" => Elicitation(request, RequireString(request, "message"), """
                {
                  "type": "object",
                  "properties": {
                    "username": { "type": "string", "description": "User's response" },
                    "email": { "type": "string", "description": "User's email address" }
                  },
                  "required": ["username", "email"]
                }
                """),
            "test_elicitation_sep1034_defaults" => Elicitation(request, "Test client default value handling - please accept with defaults", """
                {
                  "type": "object",
                  "properties": {
                    "name": { "type": "string", "description": "User name", "default": "John Doe" },
                    "age": { "type": "integer", "description": "User age", "default": 30 },
                    "score": { "type": "number", "description": "User score", "default": 95.5 },
                    "status": { "type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active" },
                    "verified": { "type": "boolean", "description": "Verification status", "default": true }
                  }
                }
                """),
            "test_elicitation_sep1330_enums" => Elicitation(request, "Test elicitation with enum schema variants", """
                {
                  "type": "object",
                  "properties": {
                    "untitledSingle": { "type": "string", "description": "Choose an option", "enum": ["option1", "option2", "option3"] },
                    "titledSingle": {
                      "type": "string", "description": "Choose a titled option",
                      "oneOf": [
                        { "const": "value1", "title": "First Option" },
                        { "const": "value2", "title": "Second Option" },
                        { "const": "value3", "title": "Third Option" }
                      ]
                    },
                    "legacyEnum": {
                      "type": "string", "description": "Choose a legacy option",
                      "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]
                    },
                    "untitledMulti": {
                      "type": "array", "description": "Choose multiple options",
                      "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
                    },
                    "titledMulti": {
                      "type": "array", "description": "Choose multiple titled options",
                      "items": {
                        "anyOf": [
                          { "const": "value1", "title": "First Choice" },
                          { "const": "value2", "title": "Second Choice" },
                          { "const": "value3", "title": "Third Choice" }
                        ]
                      }
                    }
                  }
                }
                """),
            "json_schema_2020_12_tool" => Text("JSON Schema 2020-12 tool executed successfully"),
            "test_reconnection" => await ReconnectionAsync(request, cancellationToken),
            _ => throw new McpProtocolException($"Unknown tool: '{name}'", McpErrorCode.InvalidParams),
        };
    }

    private static async Task<CallToolResult> WithLoggingAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        // The request-bound server (request.Server) sends on the POST response stream of this very request.
        var server = request.Server;
        string[] messages = ["Tool execution started", "Tool processing data", "Tool execution completed"];
        for (var i = 0; i < messages.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(50, cancellationToken);
            }

            if (server.LoggingLevel is not { } level || level <= LoggingLevel.Info)
            {
                await server.SendNotificationAsync(
                    NotificationMethods.LoggingMessageNotification,
                    new LoggingMessageNotificationParams
                    {
                        Level = LoggingLevel.Info,
                        Logger = "conformance-server",
                        Data = JsonSerializer.SerializeToElement(messages[i], McpJsonUtilities.DefaultOptions),
                    },
                    cancellationToken: cancellationToken);
            }
        }

        return Text("Tool with logging executed successfully");
    }

    private static async Task<CallToolResult> WithProgressAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var token = request.Params?.ProgressToken;
        int[] steps = [0, 50, 100];
        for (var i = 0; i < steps.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(50, cancellationToken);
            }

            if (token is { } progressToken)
            {
                await request.Server.NotifyProgressAsync(
                    progressToken,
                    new ProgressNotificationValue { Progress = steps[i], Total = 100, Message = $"Step {i + 1} of {steps.Length}" },
                    cancellationToken: cancellationToken);
            }
        }

        return Text(token is { } t ? $"Progress reported with token {t}" : "Completed without a progress token");
    }

    /// <summary>
    /// Written in the multi-round-trip style (SEP-2322): the first call throws <see cref="InputRequiredException"/>; the
    /// SDK turns that into a real <c>sampling/createMessage</c> request on a stateful session (then calls again with
    /// the answer in <c>inputResponses</c>) or into an <c>input_required</c> result for a 2026-07-28 client.
    /// </summary>
    private static CallToolResult Sampling(RequestContext<CallToolRequestParams> request)
    {
        const string Key = "sampling";
        var prompt = RequireString(request, "prompt");
        if (request.Params?.InputResponses is { } responses && responses.TryGetValue(Key, out var response))
        {
            var result = response.Deserialize(InputResponse.CreateMessageResultJsonTypeInfo);
            var text = result?.Content?.OfType<TextContentBlock>().FirstOrDefault()?.Text ?? "(no text content)";
            return Text($"LLM response: {text}");
        }

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                [Key] = InputRequest.ForSampling(new CreateMessageRequestParams
                {
                    Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
                    MaxTokens = 100,
                }),
            },
            requestState: null);
    }

    /// <summary>Elicitation in the same multi-round-trip style as <see cref="Sampling"/>; the schema goes out as written.</summary>
    private static CallToolResult Elicitation(RequestContext<CallToolRequestParams> request, string message, string requestedSchemaJson)
    {
        const string Key = "elicitation";
        if (request.Params?.InputResponses is { } responses && responses.TryGetValue(Key, out var response))
        {
            var result = response.Deserialize(InputResponse.ElicitResultJsonTypeInfo);
            var content = result?.Content is { } values
                ? JsonSerializer.Serialize(values, McpJsonUtilities.DefaultOptions)
                : "{}";
            return Text($"User response: action={result?.Action}, content={content}");
        }

        using var schema = JsonDocument.Parse(requestedSchemaJson);
        var elicitParams = new Dictionary<string, JsonElement>
        {
            ["message"] = JsonSerializer.SerializeToElement(message, McpJsonUtilities.DefaultOptions),
            ["requestedSchema"] = schema.RootElement.Clone(),
        };

        throw new InputRequiredException(
            new Dictionary<string, InputRequest>
            {
                [Key] = new InputRequest
                {
                    Method = RequestMethods.ElicitationCreate,
                    Params = JsonSerializer.SerializeToElement(elicitParams, McpJsonUtilities.DefaultOptions),
                },
            },
            requestState: null);
    }

    private static async Task<CallToolResult> ReconnectionAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        try
        {
            // Writes a priming event with retry: 500 and ends the POST's SSE response; the result below then goes only
            // to the event store, and the client fetches it with GET + Last-Event-ID.
            await request.EnablePollingAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // stdio, stateless (2026-07-28) requests or no event store: nothing to close; answer in line.
        }

        return Text("Reconnection test completed successfully");
    }

    private static string RequireString(RequestContext<CallToolRequestParams> request, string argument)
    {
        if (request.Params?.Arguments is { } arguments &&
            arguments.TryGetValue(argument, out var value) &&
            value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        throw new McpProtocolException($"Missing required string argument '{argument}'.", McpErrorCode.InvalidParams);
    }

    private static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    private static Tool Define(string name, string description, string inputSchema = NoArguments)
    {
        using var schema = JsonDocument.Parse(inputSchema);
        return new Tool { Name = name, Description = description, InputSchema = schema.RootElement.Clone() };
    }
}
