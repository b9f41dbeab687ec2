using System.Globalization;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Sessions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Policy;

/// <summary>
/// Enforces <c>limits:</c> on every request before it is forwarded. A refusal is JSON-RPC <c>-32029</c> with
/// <c>data.retryAfterMs</c>, and on a plain HTTP answer also status 429 with <c>Retry-After</c>; passed requests carry
/// <c>RateLimit-Limit/Remaining/Reset</c> of the tightest limit they count against.
/// </summary>
internal sealed class RateLimitFilter(TrafficLimits limits, IGatewayConfigProvider config, GatewayMetrics metrics, ILoggerFactory loggerFactory) : IForwardFilter
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Policy");

    // Without an applicable rule the request passes straight on, with no state machine of its own.
    public Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next) =>
        context.Handler is not null || !limits.AnyFor(context.Request.Method) ? next(context) : LimitAsync(context, next);

    private async Task<JsonRpcMessage> LimitAsync(ForwardContext context, ForwardDelegate next)
    {
        var method = context.Request.Method;
        var request = await DescribeAsync(context, method);
        if (limits.TryAcquire(request, out var headroom) is not { } refusal)
        {
            if (headroom is { } tightest && context.Response is { HasStarted: false } response)
            {
                SetHeadroom(response, tightest);
            }

            return await next(context);
        }

        var retryAfterMs = (long)Math.Ceiling(refusal.RetryAfter.TotalMilliseconds);
        GatewayLog.RateLimited(_logger, refusal.Rule.Name, refusal.Kind, request.Principal.Id, method, retryAfterMs);
        metrics.RecordRateLimited(request.View ?? string.Empty, request.Server ?? string.Empty, refusal.Rule.Name);
        context.Telemetry?.Outcome = RequestOutcome.Rejected;
        if (context.Response is { HasStarted: false } http)
        {
            http.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status429TooManyRequests;
            http.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(refusal.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            SetHeadroom(http, new LimitHeadroom(Capacity(refusal), 0, refusal.RetryAfter));
        }

        return GatewayErrors.Create(context.Request.Id, GatewayErrors.RateLimited, Describe(refusal), new JsonObject
        {
            ["limit"] = refusal.Rule.Name,
            ["kind"] = refusal.Kind,
            ["retryAfterMs"] = retryAfterMs,
        });
    }

    /// <summary>The request's view, server and canonical tool; a view's tool call is resolved only when a rule needs it.</summary>
    private async ValueTask<LimitedRequest> DescribeAsync(ForwardContext context, string method)
    {
        var principal = context.Inbound.Principal;
        switch (context.Target)
        {
            case ServerTarget passthrough:
                var server = passthrough.Server.Name;
                var tool = method == McpMethods.ToolsCall && McpParams.String(context.Request.Params, "name") is { } name
                    ? server + config.Current.Gateway.ToolNameSeparator + name
                    : null;
                return new LimitedRequest(principal, method, null, server, tool);
            case ViewTarget view:
                if (method == McpMethods.ToolsCall && limits.NeedsRoute(method)
                    && McpParams.String(context.Request.Params, "name") is { } exposed
                    && (context.Session?.View ?? context.StatelessView) is { } catalog
                    && await catalog.FindToolAsync(exposed, context.Aborted) is { } found)
                {
                    return new LimitedRequest(principal, method, view.View.Name, found.Server, found.Server + config.Current.Gateway.ToolNameSeparator + found.Tool);
                }

                return new LimitedRequest(principal, method, view.View.Name, null, null);
            default:
                return new LimitedRequest(principal, method, null, null, null);
        }
    }

    private static string Describe(LimitRefusal refusal)
    {
        var rule = refusal.Rule;
        var per = rule.Per.Count == 0 ? string.Empty : " per " + string.Join(" and ", rule.Per.Select(p => p.ToString().ToLowerInvariant()));
        var allowance = refusal.Kind switch
        {
            "rate" => $"{rule.Rate} with bursts of {rule.Burst:0}",
            "daily quota" => $"{rule.Daily} requests a day (UTC)",
            _ => $"{rule.Monthly} requests a month (UTC)",
        };
        return $"Rate limit exceeded: limit '{rule.Name}' allows {allowance}{per}; retry in {refusal.RetryAfter.TotalSeconds:0.###} s";
    }

    private static long Capacity(LimitRefusal refusal) => refusal.Kind switch
    {
        "rate" => (long)refusal.Rule.Burst,
        "daily quota" => refusal.Rule.Daily ?? 0,
        _ => refusal.Rule.Monthly ?? 0,
    };

    private static void SetHeadroom(Microsoft.AspNetCore.Http.HttpResponse response, LimitHeadroom headroom)
    {
        response.Headers["RateLimit-Limit"] = headroom.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Remaining"] = headroom.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Reset"] = ((long)Math.Ceiling(headroom.Reset.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }
}
