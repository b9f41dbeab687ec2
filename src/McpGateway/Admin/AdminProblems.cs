using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace McpGateway.Admin;

/// <summary>RFC 7807 problem details for the admin API, and the translation of registry problems into them.</summary>
internal static class AdminProblems
{
    public const string ContentType = "application/problem+json";
    private const string TypeBase = "urn:mcp-gateway:problem:";

    public static IResult Create(int status, string title, string detail, IReadOnlyList<FieldError>? errors = null) => Answer(Problem(status, title, detail, errors));

    /// <summary>The problem itself, for surfaces that carry it in something other than an HTTP answer (the management MCP server's tool results).</summary>
    public static AdminProblem Problem(int status, string title, string detail, IReadOnlyList<FieldError>? errors = null) =>
        new(TypeBase + Slug(title), title, status, detail, errors is { Count: > 0 } ? errors : null);

    public static IResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Invalid(string detail, params FieldError[] errors) => Create(StatusCodes.Status400BadRequest, "Invalid request", detail, errors);

    public static IResult Unreachable(string detail) => Answer(UnreachableProblem(detail));

    public static AdminProblem UnreachableProblem(string detail) => Problem(StatusCodes.Status502BadGateway, "Upstream unreachable", detail);

    /// <summary>
    /// The problem for a refused registry change. For a single-entry body (<paramref name="entryPath"/> such as
    /// <c>mcpServers.github</c>) field names become relative to the body: <c>mcpServers.github.url</c> → <c>url</c>.
    /// </summary>
    public static IResult From(RegistryProblem problem, string? entryPath = null) => Answer(Describe(problem, entryPath));

    /// <summary>The problem <see cref="From"/> answers with.</summary>
    public static AdminProblem Describe(RegistryProblem problem, string? entryPath = null)
    {
        var errors = problem.Errors.Select(error => new FieldError(entryPath is null ? error.Key : RelativeField(error, entryPath), error.Message)).ToList();
        return problem.Kind switch
        {
            RegistryProblemKind.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", problem.Detail, errors),
            RegistryProblemKind.ReadOnly => Problem(StatusCodes.Status409Conflict, "Read-only entry", problem.Detail, errors),
            RegistryProblemKind.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", problem.Detail, errors),
            _ => Problem(StatusCodes.Status400BadRequest, "Invalid request", problem.Detail, errors),
        };
    }

    private static JsonHttpResult<AdminProblem> Answer(AdminProblem problem) =>
        TypedResults.Json(problem, AdminJsonContext.Default.AdminProblem, ContentType, problem.Status);

    /// <summary>
    /// <c>{entry}.url</c> → <c>url</c>, <c>{entry}.args[0]</c> → <c>args[0]</c>; an error on the entry itself is about its
    /// name when it says so, else about the body as a whole (empty field). Paths elsewhere (another entry) stay whole.
    /// </summary>
    internal static string RelativeField(ConfigDiagnostic error, string entryPath)
    {
        var key = error.Key;
        if (key == entryPath)
        {
            return error.Message.Contains("name", StringComparison.Ordinal) ? "name" : string.Empty;
        }

        if (key.StartsWith(entryPath, StringComparison.Ordinal) && key.Length > entryPath.Length)
        {
            return key[entryPath.Length] switch
            {
                '.' => key[(entryPath.Length + 1)..],
                '[' => key[entryPath.Length..],
                _ => key,
            };
        }

        return key;
    }

    private static string Slug(string title) => title.ToLowerInvariant().Replace(' ', '-');
}

/// <summary>Reads admin request bodies: JSON objects only, within <c>gateway.maxRequestBodyBytes</c>.</summary>
internal static class AdminBody
{
    /// <summary>The body as a JSON object, or the problem to answer with (415, 413 or 400 naming the position).</summary>
    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, long limit)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, AdminProblems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"send the body as JSON with `Content-Type: application/json` (got `{request.ContentType ?? "none"}`)"));
        }

        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, TooLarge(limit));
            }

            buffer.Write(chunk, 0, read);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            var position = ex.LineNumber is { } line ? $"line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "unknown position";
            return (null, AdminProblems.Invalid($"the body is not valid JSON ({position}): {FirstSentence(ex.Message)}", new FieldError(string.Empty, $"malformed JSON at {position}")));
        }

        return node is JsonObject body
            ? (body, null)
            : (null, AdminProblems.Invalid("the body must be a JSON object", new FieldError(string.Empty, "expected a JSON object `{ ... }`")));
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static IResult TooLarge(long limit) => AdminProblems.Create(StatusCodes.Status413PayloadTooLarge, "Body too large",
        $"the body exceeds the gateway's limit of {limit} bytes (gateway.maxRequestBodyBytes)");

    // System.Text.Json appends "Path: $ | LineNumber: ..." which repeats the position in a less readable form.
    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Trim();
}
