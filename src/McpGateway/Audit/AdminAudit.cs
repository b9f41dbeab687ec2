using System.Diagnostics;
using McpGateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Audit;

/// <summary>
/// Admin changes in the audit trail: every POST/PUT/PATCH/DELETE on <c>/api/v1</c> and <c>/deploy</c> (refused ones
/// too), and every call of a mutating <c>/admin/mcp</c> tool. Reads are not recorded.
/// </summary>
internal sealed class AdminAudit(AuditLog audit)
{
    public void Record(HttpContext context, string item, int status, string? target, TimeSpan elapsed, bool failed = false)
    {
        if (!audit.Enabled)
        {
            return;
        }

        var principal = context.Features.Get<IGatewayPrincipalFeature>()?.Principal ?? GatewayPrincipal.Anonymous;
        var at = audit.Time.GetUtcNow();
        var outcome = status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden ? AuditOutcomes.Denied
            : status >= 400 || failed ? AuditOutcomes.Error
            : AuditOutcomes.Ok;
        audit.Record(new AuditRecord(AuditLog.NextId(at), at, AuditKinds.Admin, principal.Id, principal.Name, principal.Tenant, null, target, item, outcome, status,
            Math.Round(elapsed.TotalMilliseconds, 3), Activity.Current?.TraceId.ToHexString(), null));
    }

    /// <summary>Records mutating admin API requests after they are answered.</summary>
    public static IApplicationBuilder UseAdminAudit(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || !(request.Path.StartsWithSegments("/api/v1") || request.Path.StartsWithSegments("/deploy")))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var admin = context.RequestServices.GetService(typeof(AdminAudit)) as AdminAudit;
            admin?.Record(context, $"{request.Method} {request.Path}", context.Response.StatusCode, target: null, Stopwatch.GetElapsedTime(started));
        }
    });
}
