using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.ConformanceServer;

/// <summary>The prompts named by the suite's <c>src/scenarios/server/prompts.ts</c>, plus argument completion.</summary>
internal static class ConformancePrompts
{
    public static IReadOnlyList<Prompt> All { get; } =
    [
        new Prompt { Name = "test_simple_prompt", Description = "A simple prompt without arguments." },
        new Prompt
        {
            Name = "test_prompt_with_arguments",
            Description = "A prompt with two required arguments.",
            Arguments =
            [
                new PromptArgument { Name = "arg1", Description = "First test argument", Required = true },
                new PromptArgument { Name = "arg2", Description = "Second test argument", Required = true },
            ],
        },
        new Prompt
        {
            Name = "test_prompt_with_embedded_resource",
            Description = "A prompt that embeds a resource.",
            Arguments = [new PromptArgument { Name = "resourceUri", Description = "URI of the resource to embed", Required = true }],
        },
        new Prompt { Name = "test_prompt_with_image", Description = "A prompt with image content." },
    ];

    /// <summary>Completion candidates for <c>test_prompt_with_arguments</c>; values starting with the typed prefix are returned.</summary>
    private static readonly string[] s_argumentCandidates = ["paris", "park", "party", "test", "testValue1", "testValue2"];

    /// <summary>Completion candidates for the <c>id</c> of <c>test://template/{id}/data</c>.</summary>
    private static readonly string[] s_templateIdCandidates = ["123", "456", "789"];

    public static ValueTask<ListPromptsResult> ListAsync(RequestContext<ListPromptsRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListPromptsResult { Prompts = [.. All] });

    public static ValueTask<GetPromptResult> GetAsync(RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken)
    {
        var name = request.Params?.Name;
        GetPromptResult result = name switch
        {
            "test_simple_prompt" => Messages(UserText("This is a simple prompt for testing.")),
            "test_prompt_with_arguments" => Messages(UserText(
                $"Prompt with arguments: arg1='{RequireArgument(request, "arg1")}', arg2='{RequireArgument(request, "arg2")}'")),
            "test_prompt_with_embedded_resource" => Messages(
                new PromptMessage
                {
                    Role = Role.User,
                    Content = new EmbeddedResourceBlock
                    {
                        Resource = new TextResourceContents
                        {
                            Uri = RequireArgument(request, "resourceUri"),
                            MimeType = "text/plain",
                            Text = "Embedded resource content for testing.",
                        },
                    },
                },
                UserText("Please process the embedded resource above.")),
            "test_prompt_with_image" => Messages(
                new PromptMessage { Role = Role.User, Content = ImageContentBlock.FromBytes(TestMedia.Png, "image/png") },
                UserText("Please analyze the image above.")),
            _ => throw new McpProtocolException($"Unknown prompt: '{name}'", McpErrorCode.InvalidParams),
        };
        return ValueTask.FromResult(result);
    }

    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken cancellationToken)
    {
        var prefix = request.Params?.Argument?.Value ?? "";
        string[] values = request.Params?.Ref is PromptReference { Name: "test_prompt_with_arguments" }
            ? [.. s_argumentCandidates.Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))]
            : request.Params?.Ref is ResourceTemplateReference { Uri: ConformanceResources.TemplateUri }
                ? [.. s_templateIdCandidates.Where(v => v.StartsWith(prefix, StringComparison.Ordinal))]
                : [];
        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = values, Total = values.Length, HasMore = false },
        });
    }

    private static string RequireArgument(RequestContext<GetPromptRequestParams> request, string name)
    {
        if (request.Params?.Arguments is { } arguments &&
            arguments.TryGetValue(name, out var value) &&
            value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        throw new McpProtocolException($"Missing required argument '{name}'.", McpErrorCode.InvalidParams);
    }

    private static PromptMessage UserText(string text) => new() { Role = Role.User, Content = new TextContentBlock { Text = text } };

    private static GetPromptResult Messages(params PromptMessage[] messages) => new() { Messages = messages };
}
