using System.Globalization;
using McpGateway.Admin;
using McpGateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Audit;

/// <summary><c>GET /api/v1/audit</c>: the audit trail, newest first, with filters and keyset paging (admin and admin-readonly).</summary>
internal static class AuditEndpoints
{
    private const int MaxLimit = 1000;

    private static readonly string[] Kinds = [AuditKinds.ToolCall, AuditKinds.PromptGet, AuditKinds.ResourceRead, AuditKinds.Admin];

    private static readonly string[] Outcomes = [AuditOutcomes.Ok, AuditOutcomes.Error, AuditOutcomes.Denied, AuditOutcomes.Cancelled];

    public static void Map(RouteGroupBuilder api) => api.MapGet("/audit", QueryAsync);

    private static async Task<IResult> QueryAsync(HttpContext context, EfAuditStore store, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        List<FieldError> errors = [];
        string? Text(string name) => query[name].ToString() is { Length: > 0 } value ? value : null;

        DateTimeOffset? Moment(string name)
        {
            if (Text(name) is not { } text)
            {
                return null;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
            {
                return moment;
            }

            errors.Add(new FieldError(name, "must be an RFC 3339 time such as 2026-11-22T10:00:00Z"));
            return null;
        }

        var kind = Text("kind");
        if (kind is not null && !Kinds.Contains(kind, StringComparer.Ordinal))
        {
            errors.Add(new FieldError("kind", $"must be one of {string.Join(", ", Kinds)}"));
        }

        var outcome = Text("outcome");
        if (outcome is not null && !Outcomes.Contains(outcome, StringComparer.Ordinal))
        {
            errors.Add(new FieldError("outcome", $"must be one of {string.Join(", ", Outcomes)}"));
        }

        var limit = 100;
        if (Text("limit") is { } limitText && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors.Add(new FieldError("limit", $"must be a whole number from 1 to {MaxLimit}"));
        }

        AuditCursor? after = null;
        if (Text("cursor") is { } cursor && (after = AuditCursor.Decode(cursor)) is null)
        {
            errors.Add(new FieldError("cursor", "is not a cursor this API returned; pass back `nextCursor` as it is"));
        }

        var from = Moment("from");
        var to = Moment("to");
        if (errors.Count > 0)
        {
            return AdminProblems.Invalid("the audit query is invalid", [.. errors]);
        }

        var page = await store.QueryAsync(new AuditQuery(Text("principal"), Text("tenant"), kind, Text("view"), Text("server"), Text("item"), outcome, from, to, limit, after), cancellationToken);
        return TypedResults.Json(page, AdminJsonContext.Default.AuditPage);
    }
}
