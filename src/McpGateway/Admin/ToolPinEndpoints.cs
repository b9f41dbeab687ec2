using McpGateway.Guardrails;
using McpGateway.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Admin;

/// <summary>One tool pin as <c>GET /api/v1/tool-pins</c> shows it; <see cref="Diff"/> summarizes what a pending change changes.</summary>
public sealed record ToolPinInfo(
    string Server,
    string Tool,
    string Status,
    string? ApprovedHash,
    DateTimeOffset? ApprovedAt,
    string? PendingHash,
    DateTimeOffset? FirstSeen,
    string? Diff);

public sealed record ToolPinList(IReadOnlyList<ToolPinInfo> Pins);

/// <summary>
/// The tool pins under <c>/api/v1/tool-pins</c>: list them, approve a pending change (the tool is listed and callable
/// again), or forget a pin (the next definition seen is trusted on first use).
/// </summary>
internal static class ToolPinEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/tool-pins", List);
        api.MapPost("/tool-pins/{server}/{tool}/approve", ApproveAsync);
        api.MapDelete("/tool-pins/{server}/{tool}", ForgetAsync);
    }

    private static IResult List(HttpRequest request, ToolPins pins)
    {
        var status = request.Query["status"].ToString().ToLowerInvariant();
        if (status is not ("" or "all" or "pending" or "approved"))
        {
            return AdminProblems.Invalid($"unknown status `{request.Query["status"]}`", new FieldError("status", "use one of pending, approved, all"));
        }

        var server = request.Query["server"].ToString();
        var shown = pins.List()
            .Where(p => server.Length == 0 || p.Server == server)
            .Where(p => status switch { "pending" => p.IsPending, "approved" => !p.IsPending, _ => true })
            .Select(Describe)
            .ToList();
        return TypedResults.Json(new ToolPinList(shown), AdminJsonContext.Default.ToolPinList);
    }

    private static async Task<IResult> ApproveAsync(string server, string tool, ToolPins pins, CancellationToken cancellationToken)
    {
        if (await pins.ApproveAsync(server, tool, cancellationToken) is { } approved)
        {
            return TypedResults.Json(Describe(approved), AdminJsonContext.Default.ToolPinInfo);
        }

        return pins.Find(server, tool) is null
            ? AdminProblems.NotFound($"no tool pin for `{tool}` of server `{server}`")
            : AdminProblems.Create(StatusCodes.Status409Conflict, "Conflict", $"tool `{tool}` of server `{server}` has no change awaiting approval");
    }

    private static async Task<IResult> ForgetAsync(string server, string tool, ToolPins pins, CancellationToken cancellationToken) =>
        await pins.ForgetAsync(server, tool, cancellationToken)
            ? TypedResults.NoContent()
            : AdminProblems.NotFound($"no tool pin for `{tool}` of server `{server}`");

    private static ToolPinInfo Describe(ToolPin pin) => new(
        pin.Server,
        pin.Tool,
        pin.IsPending ? "pending" : "approved",
        pin.ApprovedHash,
        pin.ApprovedAt,
        pin.PendingHash,
        pin.PendingSince,
        pin.PendingDefinition is { } pending ? ToolDefinitionDiff.Describe(pin.ApprovedDefinition, pending) : null);
}
