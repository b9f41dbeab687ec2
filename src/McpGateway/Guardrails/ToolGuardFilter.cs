using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Policy;
using McpGateway.Protocol;
using McpGateway.Sessions;
using McpGateway.Upstreams;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Guardrails;

/// <summary>
/// Blocked tools and argument validation for <c>tools/call</c>: a blocked tool answers like an unknown one, and
/// arguments that break the tool's <c>inputSchema</c> get -32602 before the upstream sees the call. On passthrough it
/// also removes blocked tools from <c>tools/list</c> and learns the listed schemas (views leave blocked tools out when
/// they merge, and carry each tool's listing with its schema).
/// </summary>
internal sealed class ToolGuardFilter(IGatewayConfigProvider config, ToolSchemaCache schemas, ToolPins pins, ILoggerFactory loggerFactory) : IForwardFilter
{
    private const int MaxListPages = 100;

    // Read-only: a call without "arguments" is validated as {} (the spec makes them optional).
    private static readonly JsonObject NoArguments = [];

    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Guardrails");
    private long _nextInternalId;

    public Task<JsonRpcMessage> InvokeAsync(ForwardContext context, ForwardDelegate next) => context.Request.Method switch
    {
        McpMethods.ToolsCall when context.Handler is null => CallAsync(context, next),
        McpMethods.ToolsList when context.Target is ServerTarget server && context.Handler is null => ListAsync(server.Server, context, next),
        _ => next(context),
    };

    private async Task<JsonRpcMessage> ListAsync(ServerConfig server, ForwardContext context, ForwardDelegate next)
    {
        var answer = await next(context);
        if (answer is JsonRpcResponse { Result: JsonObject result } && result["tools"] is JsonArray tools)
        {
            var options = config.Current.Gateway;
            RemoveBlocked(server.Name, tools, options);
            RemoveWithheld(server, tools);
            var complete = context.Request.Params?["cursor"] is null && result["nextCursor"] is null;
            schemas.Learn(server.Name, tools, complete);
        }

        return answer;
    }

    private async Task<JsonRpcMessage> CallAsync(ForwardContext context, ForwardDelegate next)
    {
        var request = context.Request;
        if (McpParams.String(request.Params, "name") is not { } name)
        {
            return await next(context);
        }

        var options = config.Current.Gateway;
        JsonSchemaValidator? validator;
        string server;
        string tool;
        switch (context.Target)
        {
            case ServerTarget passthrough:
                tool = name;
                server = passthrough.Server.Name;
                if (options.Guardrails.IsBlocked(server, tool, options.ToolNameSeparator))
                {
                    GatewayLog.BlockedToolCalled(_logger, server, tool);
                    context.Telemetry?.Outcome = RequestOutcome.Rejected;

                    // The words a view uses for a name it does not have: nothing tells a blocked tool apart.
                    return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, $"Unknown tool: {name}");
                }

                if (pins.IsWithheld(passthrough.Server, tool))
                {
                    GatewayLog.WithheldToolCalled(_logger, server, tool);
                    context.Telemetry?.Outcome = RequestOutcome.Rejected;
                    return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, $"Unknown tool: {name}");
                }

                if (!(passthrough.Server.ValidateArguments ?? options.Guardrails.ValidateArguments))
                {
                    return await next(context);
                }

                validator = schemas.Find(server, tool, out var listed);
                if (validator is null && !listed)
                {
                    validator = await FetchAsync(passthrough.Server, tool, context);
                }

                break;
            case ViewTarget view when (context.Session?.View ?? context.StatelessView) is { } catalog:
                // Blocked tools are not in the merged list: the view answers "Unknown tool" itself.
                if (await catalog.FindToolAsync(name, context.Aborted) is not { } found)
                {
                    return await next(context);
                }

                // A list merged before a reload blocked the tool may still hold it until the session moves on.
                if (options.Guardrails.IsBlocked(found.Server, found.Tool, options.ToolNameSeparator))
                {
                    GatewayLog.BlockedToolCalled(_logger, found.Server, found.Tool);
                    context.Telemetry?.Outcome = RequestOutcome.Rejected;
                    return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, $"Unknown tool: {name}");
                }

                if (!(Member(view, found.Server)?.ValidateArguments ?? options.Guardrails.ValidateArguments))
                {
                    return await next(context);
                }

                (server, tool) = (found.Server, found.Tool);
                validator = schemas.For(server, tool, found.Item["inputSchema"]);
                break;
            default:
                return await next(context);
        }

        if (validator is null)
        {
            GatewayLog.NoSchemaForTool(_logger, server, tool);
            return await next(context);
        }

        var arguments = request.Params?["arguments"] ?? NoArguments;
        if (validator.Validate(arguments) is not { } violation)
        {
            return await next(context);
        }

        GatewayLog.ArgumentsRejected(_logger, server, tool, violation.Path.Length == 0 ? "/" : violation.Path, violation.Keyword);
        var where = violation.Path.Length == 0 ? "arguments" : "argument " + violation.Path;
        return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, $"Invalid params: {where}: {violation.Message}", new JsonObject
        {
            ["path"] = violation.Path,
            ["keyword"] = violation.Keyword,
            ["message"] = violation.Message,
        });
    }

    /// <summary>
    /// A call before any list: ask the server for its tools through the same link the call will take (the client's own
    /// upstream session, or the stateless request's link). Its own session is the one whose list matters, since a
    /// server may list different tools per session; the shared link may not even exist for a per-client server.
    /// </summary>
    private async Task<JsonSchemaValidator?> FetchAsync(ServerConfig server, string tool, ForwardContext context)
    {
        var link = context.Session is { } session ? session.LinkFor(server) : context.Link;
        if (link is null)
        {
            return null;
        }

        // Outside the call's trace: the call's trace shows the call (one client span per forwarded request), and this
        // one-off fetch per session and server would only make it look as if the request had been sent twice.
        var parent = Activity.Current;
        Activity.Current = null;
        try
        {
            string? cursor = null;
            for (var page = 0; page < MaxListPages; page++)
            {
                var list = new JsonRpcRequest
                {
                    Id = new RequestId($"mcp-gateway/guard/{Interlocked.Increment(ref _nextInternalId)}"),
                    Method = McpMethods.ToolsList,
                    Params = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor },
                };
                var answer = await link.ForwardAsync(list, null, context.Aborted, this);
                if (answer is not JsonRpcResponse { Result: JsonObject result })
                {
                    GatewayLog.SchemaFetchFailed(_logger, server.Name, tool, (answer as JsonRpcError)?.Error.Message ?? "no result");
                    return null;
                }

                cursor = (string?)result["nextCursor"];
                schemas.Learn(server.Name, result["tools"] as JsonArray ?? [], complete: string.IsNullOrEmpty(cursor));
                if (string.IsNullOrEmpty(cursor))
                {
                    break;
                }
            }
        }
        catch (UpstreamException ex)
        {
            // The call itself will meet the same failure and report it.
            GatewayLog.SchemaFetchFailed(_logger, server.Name, tool, ex.Reason);
            return null;
        }
        finally
        {
            Activity.Current = parent;
        }

        return schemas.Find(server.Name, tool, out _);
    }

    private static void RemoveBlocked(string server, JsonArray tools, GatewayOptions options)
    {
        if (options.Guardrails.BlockedTools.AllowsAll)
        {
            return;
        }

        for (var i = tools.Count - 1; i >= 0; i--)
        {
            if ((string?)tools[i]?["name"] is { } name && options.Guardrails.IsBlocked(server, name, options.ToolNameSeparator))
            {
                tools.RemoveAt(i);
            }
        }
    }

    /// <summary>Pins what the server lists and leaves out tools whose definition changed since approval.</summary>
    private void RemoveWithheld(ServerConfig server, JsonArray tools)
    {
        if (!pins.AppliesTo(server))
        {
            return;
        }

        for (var i = tools.Count - 1; i >= 0; i--)
        {
            if (tools[i] is JsonObject tool && !pins.Admit(server, tool))
            {
                tools.RemoveAt(i);
            }
        }
    }

    private static ServerConfig? Member(ViewTarget view, string server)
    {
        foreach (var member in view.Members)
        {
            if (member.Name == server)
            {
                return member;
            }
        }

        return null;
    }
}
