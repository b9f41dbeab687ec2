using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Sessions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Policy;

/// <summary>
/// The outermost filter: one server span, the request metrics and the request log event for every client request.
/// Registered first so that its span is the parent of the other filters' spans and its duration covers them.
/// </summary>
internal sealed class TelemetryFilter(GatewayMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time) : IForwardFilter
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Requests");

    public async Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next)
    {
        var request = context.Request;
        var telemetry = context.Telemetry = context.Target switch
        {
            ServerTarget server => new RequestTelemetry(string.Empty, server.Server.Name),
            ViewTarget { IsDefault: true } => new RequestTelemetry(ViewTarget.DefaultName, string.Empty),
            ViewTarget view => new RequestTelemetry(view.View.Name, string.Empty),
            _ => new RequestTelemetry(string.Empty, string.Empty),
        };

        // Read before forwarding: a view rewrites the name to the member's own.
        var tool = request.Method == McpMethods.ToolsCall ? McpParams.String(request.Params, "name") : null;
        using var activity = StartActivity(context, tool);
        var started = time.GetTimestamp();
        JsonRpcMessage? answer = null;
        var outcome = RequestOutcome.Error;
        try
        {
            answer = await next(context);
            outcome = telemetry.Outcome ?? OutcomeOf(request.Method, answer);
            return answer;
        }
        catch (OperationCanceledException)
        {
            outcome = RequestOutcome.Cancelled;
            throw;
        }
        finally
        {
            Complete(context, telemetry, activity, answer, outcome, tool, time.GetElapsedTime(started));
        }
    }

    private void Complete(ForwardContext context, RequestTelemetry telemetry, Activity? activity, JsonRpcMessage? answer, string outcome, string? tool, TimeSpan elapsed)
    {
        var method = GatewayMetrics.MethodLabel(context.Request.Method);
        if (metrics.RequestsEnabled)
        {
            metrics.RecordRequest(telemetry.View, telemetry.Server, method, outcome, elapsed.TotalSeconds);
            metrics.RecordRequestSize(telemetry.View, telemetry.Server, method, context.Inbound.BodyBytes);
            if (context.Request.Method == McpMethods.ToolsCall)
            {
                metrics.RecordToolCall(telemetry.Server, telemetry.Tool ?? GatewayMetrics.Other, outcome);
            }
        }

        if (activity is not null)
        {
            if (telemetry.Server.Length > 0)
            {
                activity.SetTag("gateway.server", telemetry.Server);
            }

            if (outcome != RequestOutcome.Ok)
            {
                activity.SetTag("error.type", answer is JsonRpcError error ? error.Error.Code.ToString(CultureInfo.InvariantCulture) : outcome);
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var traceId = TraceIdOf(context, activity);
            GatewayLog.RequestCompleted(_logger, context.Inbound.Principal.Id, context.Inbound.Principal.Tenant, telemetry.View, telemetry.Server, context.Request.Method, tool,
                Math.Round(elapsed.TotalMilliseconds, 3), outcome, traceId);
            if (answer is not null && _logger.IsEnabled(LogLevel.Trace))
            {
                GatewayLog.RequestPayloads(_logger, context.Request.Method, Encoding.UTF8.GetString(McpWire.Serialize(context.Request)),
                    Encoding.UTF8.GetString(McpWire.Serialize(answer)), traceId);
            }
        }
    }

    /// <summary>
    /// The server span, parented to the caller's W3C context: <c>params._meta.traceparent</c> wins over the HTTP header;
    /// the header is read only when the host did not already start an activity from it.
    /// </summary>
    private static Activity? StartActivity(ForwardContext context, string? tool)
    {
        if (!GatewayTelemetry.Source.HasListeners())
        {
            return null;
        }

        var request = context.Request;
        var current = Activity.Current;

        // The host starts a request activity of its own even when nobody records it; a span under it would point at a
        // parent no backend ever receives. Follow it only when its source is listened to.
        var hostSpanRecorded = current is not null && current.Source.HasListeners();
        if (!TraceContextPropagation.TryReadMeta(request.Params, out var parent) &&
            (hostSpanRecorded || !TraceContextPropagation.TryParse(context.Inbound.TraceParent, context.Inbound.TraceState, out parent)))
        {
            parent = default;
        }

        if (parent == default && current is not null && !hostSpanRecorded)
        {
            // No caller context: start a new trace rather than hang off the unrecorded host activity (scoped to this request's flow).
            Activity.Current = null;
        }

        var target = tool ?? (request.Method == "prompts/get" ? McpParams.String(request.Params, "name") : null);
        var activity = GatewayTelemetry.Source.StartActivity(target is null ? request.Method : request.Method + " " + target, ActivityKind.Server, parent);
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        activity.SetTag("mcp.method.name", request.Method);
        activity.SetTag("jsonrpc.request.id", request.Id.ToString());
        if (tool is not null)
        {
            activity.SetTag("gen_ai.tool.name", tool);
            activity.SetTag("gen_ai.operation.name", "execute_tool");
        }
        else if (target is not null)
        {
            activity.SetTag("gen_ai.prompt.name", target);
        }

        if (McpParams.String(request.Params, "uri") is { } resource)
        {
            activity.SetTag("mcp.resource.uri", resource);
        }

        activity.SetTag("mcp.session.id", context.Session?.Id);
        activity.SetTag("mcp.protocol.version", context.Session?.ProtocolVersion ?? McpParams.Meta(request.Params, McpMethods.MetaProtocolVersion));
        activity.SetTag("gateway.view", context.Telemetry?.View is { Length: > 0 } view ? view : null);
        return activity;
    }

    internal static string OutcomeOf(string method, JsonRpcMessage answer) => answer switch
    {
        JsonRpcError { Error.Code: GatewayErrors.UpstreamTimeout } => RequestOutcome.Timeout,
        JsonRpcError { Error.Code: GatewayErrors.UpstreamUnavailable } => RequestOutcome.Unavailable,
        JsonRpcError { Error.Code: GatewayErrors.RequestCancelled } => RequestOutcome.Cancelled,
        JsonRpcError => RequestOutcome.Error,
        JsonRpcResponse { Result: JsonObject result } when method == McpMethods.ToolsCall &&
            result["isError"] is JsonValue isError && isError.TryGetValue(out bool failed) && failed => RequestOutcome.ToolError,
        _ => RequestOutcome.Ok,
    };

    /// <summary>The trace the request belongs to, even when no span was recorded (the caller's own context).</summary>
    internal static string? TraceIdOf(ForwardContext context, Activity? activity)
    {
        if (activity is not null)
        {
            return activity.TraceId.ToHexString();
        }

        if (TraceContextPropagation.TryReadMeta(context.Request.Params, out var parent) ||
            TraceContextPropagation.TryParse(context.Inbound.TraceParent, context.Inbound.TraceState, out parent))
        {
            return parent.TraceId.ToHexString();
        }

        return Activity.Current?.TraceId.ToHexString();
    }
}
