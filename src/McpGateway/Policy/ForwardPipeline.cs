using System.Diagnostics;
using McpGateway.Aggregation;
using McpGateway.Observability;
using McpGateway.Sessions;
using McpGateway.Upstreams;
using ModelContextProtocol.Protocol;

namespace McpGateway.Policy;

/// <summary>Everything a filter may look at for one forwarded request. One instance per request; no statics.</summary>
internal sealed class ForwardContext(SessionTarget target, JsonRpcRequest request, IClientChannel? channel, DownstreamSession? session, CancellationToken aborted)
{
    /// <summary>One upstream server or a virtual server.</summary>
    public SessionTarget Target { get; } = target;

    public JsonRpcRequest Request { get; } = request;

    /// <summary>Where related messages (progress, server→client requests) for this request go.</summary>
    public IClientChannel? Channel { get; } = channel;

    /// <summary>The client session, or null for a stateless (2026-07-28) request.</summary>
    public DownstreamSession? Session { get; } = session;

    /// <summary>The upstream link for stateless requests to one server; sessions use their own.</summary>
    public UpstreamLink? Link { get; init; }

    /// <summary>The view catalog for stateless requests to a virtual server.</summary>
    public ViewSession? StatelessView { get; init; }

    public CancellationToken Aborted { get; } = aborted;

    /// <summary>Answers the request instead of forwarding it (initialize, server/discover); such requests still pass every filter.</summary>
    public ForwardDelegate? Handler { get; init; }

    /// <summary>Principal, trace headers and body size of the HTTP request that carried the message.</summary>
    public InboundRequest Inbound { get; init; } = InboundRequest.None;

    /// <summary>The HTTP response the answer goes into, when there is one: filters may set headers (and a status) before it starts.</summary>
    public Microsoft.AspNetCore.Http.HttpResponse? Response { get; init; }

    /// <summary>Completed when every filter has let the request through; an endpoint that streams waits for it before starting the response.</summary>
    public TaskCompletionSource? Admitted { get; init; }

    /// <summary>Set by the authorization filter for a view: what the caller may see of its catalog; null sees everything.</summary>
    public ICatalogAccess? Access { get; set; }

    /// <summary>Set by the telemetry filter; the upstream link fills in which server handled the request.</summary>
    public RequestTelemetry? Telemetry { get; set; }
}

internal delegate Task<JsonRpcMessage> ForwardDelegate(ForwardContext context);

/// <summary>A step around forwarding (authentication, limits, validation, caching — later issues add them).</summary>
internal interface IForwardFilter
{
    Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next);
}

/// <summary>The chain of registered filters ending in the upstream call; built once.</summary>
internal sealed class ForwardPipeline
{
    private readonly ForwardDelegate _entry;

    public ForwardPipeline(IEnumerable<IForwardFilter> filters)
    {
        ForwardDelegate next = ForwardAsync;
        foreach (var filter in filters.Reverse())
        {
            var inner = next;
            if (filter is TelemetryFilter)
            {
                // It opens the request's own span; a span of its own would only wrap that one.
                next = context => filter.InvokeAsync(context, inner);
                continue;
            }

            var spanName = filter.GetType().Name;
            next = context => GatewayTelemetry.Source.HasListeners()
                ? InvokeTracedAsync(filter, spanName, context, inner)
                : filter.InvokeAsync(context, inner);
        }

        _entry = next;
    }

    public Task<JsonRpcMessage> InvokeAsync(ForwardContext context) => _entry(context);

    private static async Task<JsonRpcMessage> InvokeTracedAsync(IForwardFilter filter, string spanName, ForwardContext context, ForwardDelegate next)
    {
        using var activity = GatewayTelemetry.Source.StartActivity(spanName, ActivityKind.Internal);
        try
        {
            return await filter.InvokeAsync(context, next);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private static Task<JsonRpcMessage> ForwardAsync(ForwardContext context)
    {
        // Every filter let the request through: the response may start now.
        context.Admitted?.TrySetResult();
        return context.Handler?.Invoke(context)
        ?? context.Session?.ForwardRequestAsync(context.Request, context.Channel, context.Aborted, context.Telemetry, context.Access)
        ?? context.StatelessView?.HandleAsync(context.Request, context.Channel, context.Aborted, context.Telemetry, context.Access)
        ?? context.Link!.ForwardAsync(context.Request, context.Channel, context.Aborted, telemetry: context.Telemetry);
    }
}
