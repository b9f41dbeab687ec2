using System.Text.Json.Nodes;
using McpGateway.Aggregation;
using McpGateway.Observability;
using McpGateway.Policy;
using McpGateway.Protocol;
using McpGateway.Sessions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Security;

/// <summary>
/// Enforces <c>authorization.policies</c> on every forwarded request. A view gets the caller's
/// <see cref="ICatalogAccess"/> and leaves refused items out of lists and answers calls to them as unknown; on
/// passthrough this filter does the same itself. Refusals read exactly like unknown names, so nothing tells a denied
/// item from one that does not exist; the log says which it was.
/// </summary>
internal sealed class AuthorizationFilter(AccessPolicies policies, ILoggerFactory loggerFactory) : IForwardFilter
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Security");

    public Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next)
    {
        if (context.Handler is not null || policies.For(context.Inbound.Principal) is not { } access)
        {
            return next(context);
        }

        switch (context.Target)
        {
            case ViewTarget view:
                var items = view.IsDefault ? access.ForServers() : access.ForView(view.View.Name);
                context.Access = IsList(context.Request.Method) ? items : new LoggedRefusals(items, this, context, access);
                return next(context);
            case ServerTarget server:
                return PassthroughAsync(context, next, access, server.Server.Name);
            default:
                return next(context);
        }
    }

    private async Task<JsonRpcMessage> PassthroughAsync(ForwardContext context, ForwardDelegate next, PrincipalAccess access, string server)
    {
        var items = access.ForServers();
        var request = context.Request;
        switch (request.Method)
        {
            case McpMethods.ToolsList:
                return Filter(await next(context), items, CatalogKind.Tools, server);
            case "prompts/list":
                return Filter(await next(context), items, CatalogKind.Prompts, server);
            case "resources/list":
                return Filter(await next(context), items, CatalogKind.Resources, server);
            case "resources/templates/list":
                return Filter(await next(context), items, CatalogKind.ResourceTemplates, server);
            case McpMethods.ToolsCall when McpParams.String(request.Params, "name") is { } tool && !items.Allows(CatalogKind.Tools, server, tool):
                return Refuse(context, access, tool, GatewayErrors.InvalidParams, $"Unknown tool: {tool}", data: null);
            case "prompts/get" when McpParams.String(request.Params, "name") is { } prompt && !items.Allows(CatalogKind.Prompts, server, prompt):
                return Refuse(context, access, prompt, GatewayErrors.InvalidParams, $"Unknown prompt: {prompt}", data: null);
            case "resources/read" or "resources/subscribe" or "resources/unsubscribe" when McpParams.String(request.Params, "uri") is { } uri && !items.Allows(CatalogKind.Resources, server, uri):
                return Refuse(context, access, uri, -32002, $"Resource not found: {uri}", new JsonObject { ["uri"] = uri });
            case "completion/complete" when (request.Params?["ref"]) is JsonObject reference:
                if ((string?)reference["type"] == "ref/prompt" && (string?)reference["name"] is { } refPrompt && !items.Allows(CatalogKind.Prompts, server, refPrompt))
                {
                    return Refuse(context, access, refPrompt, GatewayErrors.InvalidParams, $"Unknown prompt: {refPrompt}", data: null);
                }

                if ((string?)reference["type"] == "ref/resource" && (string?)reference["uri"] is { } refUri && !items.Allows(CatalogKind.Resources, server, refUri))
                {
                    return Refuse(context, access, refUri, -32002, $"Resource not found: {refUri}", new JsonObject { ["uri"] = refUri });
                }

                return await next(context);
            default:
                return await next(context);
        }
    }

    private JsonRpcError Refuse(ForwardContext context, PrincipalAccess access, string item, int code, string message, JsonObject? data)
    {
        GatewayLog.ItemRefused(_logger, access.Principal.Id, context.Request.Method, item, context.Target.DisplayName, access.PolicyNames);
        context.Telemetry?.Outcome = RequestOutcome.Rejected;
        return GatewayErrors.Create(context.Request.Id, code, message, data);
    }

    /// <summary>Drops the items the caller may not see from a relayed list answer (the answer is the gateway's own parse).</summary>
    private static JsonRpcMessage Filter(JsonRpcMessage answer, ICatalogAccess items, CatalogKind kind, string server)
    {
        if (answer is JsonRpcResponse { Result: JsonObject result } && result[kind.ResultProperty()] is JsonArray list)
        {
            var key = kind.KeyProperty();
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if ((string?)list[i]?[key] is not { } name || !items.Allows(kind, server, name))
                {
                    list.RemoveAt(i);
                }
            }
        }

        return answer;
    }

    private static bool IsList(string method) => method is McpMethods.ToolsList or "prompts/list" or "resources/list" or "resources/templates/list";

    /// <summary>For calls into a view: a refusal is logged with the real reason (lists hide silently).</summary>
    private sealed class LoggedRefusals(ICatalogAccess inner, AuthorizationFilter filter, ForwardContext context, PrincipalAccess access) : ICatalogAccess
    {
        public bool Allows(CatalogKind kind, string server, string key)
        {
            if (inner.Allows(kind, server, key))
            {
                return true;
            }

            GatewayLog.ItemRefused(filter._logger, access.Principal.Id, context.Request.Method, kind is CatalogKind.Tools or CatalogKind.Prompts ? server + "/" + key : key, context.Target.DisplayName, access.PolicyNames);
            context.Telemetry?.Outcome = RequestOutcome.Rejected;
            return false;
        }
    }
}
