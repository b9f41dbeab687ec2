using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Endpoints;
using McpGateway.Observability;
using McpGateway.Protocol;
using McpGateway.Upstreams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpGateway.Admin;

/// <summary>
/// The gateway's own MCP server at <c>/admin/mcp</c> (Streamable HTTP), through which an agent manages the gateway.
/// </summary>
/// <remarks>
/// Stateless: every tool is one request and one answer, the server never sends requests or notifications of its own
/// (its tool list is fixed), and the admin credential is checked on every HTTP request anyway, so a session would add
/// state (and a store to lose on restart) without adding anything. <c>initialize</c> is answered without a
/// <c>Mcp-Session-Id</c>, which Streamable HTTP clients take as "stateless server"; 2026-07-28 clients may skip it
/// and send <c>server/discover</c> or calls with the revision in <c>_meta</c>. GET and DELETE answer 405 (no stream,
/// no session to end).
/// </remarks>
internal sealed class AdminMcpEndpoint(AdminAccess access, AdminMcpTools tools, IGatewayConfigProvider config, Audit.AdminAudit audit, ILoggerFactory loggerFactory)
{
    public const string Path = "/admin/mcp";

    private const string Instructions =
        "Manages this MCP gateway: list, register, enable/disable and remove upstream MCP servers, inspect their tools, reconnect them and check their health. " +
        "Servers from the gateway's config file (origin `file`) are read-only here.";

    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Admin.Mcp");

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, (HttpContext context, AdminMcpEndpoint endpoint) => endpoint.PostAsync(context));
        routes.MapGet(Path, (HttpContext context, AdminMcpEndpoint endpoint) => endpoint.NotAllowedAsync(context));
        routes.MapDelete(Path, (HttpContext context, AdminMcpEndpoint endpoint) => endpoint.NotAllowedAsync(context));
    }

    private async Task NotAllowedAsync(HttpContext context)
    {
        if (await RefusedAsync(context))
        {
            return;
        }

        context.Response.Headers.Allow = "POST";
        await WriteProblemAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed",
            "the management MCP server is stateless: POST one JSON-RPC message per request; there is no event stream to GET and no session to DELETE");
    }

    private async Task PostAsync(HttpContext context)
    {
        if (await RefusedAsync(context))
        {
            return;
        }

        var request = context.Request;
        if (!RequestGuards.IsJsonContent(request))
        {
            await WriteProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", "Content-Type must be application/json");
            return;
        }

        if (!RequestGuards.Accepts(request, "application/json"))
        {
            await WriteProblemAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable", "Accept must include application/json");
            return;
        }

        var read = await HttpMessages.ReadMessageAsync(context, config.Current.Gateway.MaxRequestBodyBytes);
        if (read.Message is not { } message)
        {
            await HttpMessages.WriteJsonAsync(context.Response, read.Error!, read.Status);
            return;
        }

        if (message is not JsonRpcRequest rpc)
        {
            // notifications/initialized, cancellations: nothing to do for a server whose answers are immediate.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        var headerVersion = request.Headers[McpHeaders.ProtocolVersion].ToString();
        var metaVersion = rpc.Params?["_meta"]?[McpMethods.MetaProtocolVersion] is JsonValue meta && meta.TryGetValue(out string? fromMeta) ? fromMeta : null;
        if (rpc.Method != McpMethods.Initialize && VersionError(rpc.Id, headerVersion, metaVersion) is { } versionError)
        {
            await HttpMessages.WriteJsonAsync(context.Response, versionError, StatusCodes.Status400BadRequest);
            return;
        }

        var answer = await DispatchAsync(rpc, context, context.RequestAborted);
        if (ProtocolVersions.IsModern(metaVersion) && answer is JsonRpcResponse { Result: JsonObject result })
        {
            result["resultType"] = "complete";
        }

        await HttpMessages.WriteJsonAsync(context.Response, answer);
    }

    /// <summary>The admin credential, and DNS-rebinding protection, before any MCP processing: plain HTTP refusals.</summary>
    private async Task<bool> RefusedAsync(HttpContext context)
    {
        var verdict = access.Check(context);
        if (verdict != AdminAccessVerdict.Allowed)
        {
            var status = verdict == AdminAccessVerdict.Unauthorized ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            GatewayLog.AdminMcpRefused(_logger, status, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            await WriteProblemAsync(context, status, status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Forbidden", AdminAccess.Explain(verdict));
            return true;
        }

        if (!RequestGuards.IsOriginAllowed(context.Request, config.Current.Gateway))
        {
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "Origin not allowed (gateway.allowedOrigins)");
            return true;
        }

        return false;
    }

    private static JsonRpcError? VersionError(RequestId id, string header, string? meta)
    {
        if (meta is not null && header.Length > 0 && meta != header)
        {
            return GatewayErrors.Create(id, GatewayErrors.HeaderMismatch, $"{McpHeaders.ProtocolVersion} header '{header}' does not match _meta protocol version '{meta}'");
        }

        var version = meta ?? (header.Length > 0 ? header : null);
        return version is null || ProtocolVersions.All.Contains(version)
            ? null
            : GatewayErrors.Create(id, GatewayErrors.UnsupportedProtocolVersion, $"Unsupported protocol version '{version}'",
                new JsonObject { ["supported"] = new JsonArray([.. ProtocolVersions.All.Select(x => (JsonNode)x)]), ["requested"] = version });
    }

    private async Task<JsonRpcMessage> DispatchAsync(JsonRpcRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        switch (request.Method)
        {
            case McpMethods.Initialize:
                return Answer(request, new JsonObject
                {
                    ["protocolVersion"] = ProtocolVersions.NegotiateStateful((string?)request.Params?["protocolVersion"]),
                    ["capabilities"] = Capabilities(),
                    ["serverInfo"] = ServerInfo(),
                    ["instructions"] = Instructions,
                });
            case McpMethods.ServerDiscover:
                return Answer(request, new JsonObject
                {
                    ["supportedVersions"] = new JsonArray([.. ProtocolVersions.All.Select(x => (JsonNode)x)]),
                    ["capabilities"] = Capabilities(),
                    ["instructions"] = Instructions,
                    ["_meta"] = new JsonObject { ["io.modelcontextprotocol/serverInfo"] = ServerInfo() },
                });
            case McpMethods.Ping:
                return Answer(request, []);
            case McpMethods.ToolsList:
                return Answer(request, new JsonObject { ["tools"] = new JsonArray([.. tools.All.Select(tool => (JsonNode)tool.Describe())]) });
            case McpMethods.ToolsCall:
                return await CallAsync(request, context, cancellationToken);
            default:
                return GatewayErrors.Create(request.Id, GatewayErrors.MethodNotFound, $"Method not found: {request.Method} (the management server offers tools only)");
        }
    }

    private async Task<JsonRpcMessage> CallAsync(JsonRpcRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        if ((request.Params?["name"] as JsonValue)?.GetValueKind() != JsonValueKind.String)
        {
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, "Invalid params: `name` (the tool to call) must be a string");
        }

        var name = request.Params!["name"]!.GetValue<string>();
        if (tools.Find(name) is not { } tool)
        {
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams, $"Unknown tool: {name} (tools: {string.Join(", ", tools.All.Select(t => t.Name))})");
        }

        var arguments = request.Params["arguments"] ?? new JsonObject();
        var errors = AdminMcpSchema.Validate(tool.InputSchema, arguments);
        if (errors.Count > 0)
        {
            GatewayLog.AdminMcpToolCalled(_logger, name, "invalid arguments");
            return GatewayErrors.Create(request.Id, GatewayErrors.InvalidParams,
                $"Invalid arguments for {name}: " + string.Join("; ", errors.Select(error => $"{error.Field} {error.Message}")),
                new JsonObject { ["errors"] = new JsonArray([.. errors.Select(error => (JsonNode)new JsonObject { ["field"] = error.Field, ["message"] = error.Message })]) });
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await tool.Run((JsonObject)arguments.DeepClone(), cancellationToken);
        if (!tool.ReadOnly)
        {
            var refused = result["isError"] is not null;
            var status = refused && (int?)result["structuredContent"]?["status"] is { } problem ? problem : StatusCodes.Status200OK;
            audit.Record(context, "admin/mcp " + name, status, (string?)arguments["name"], System.Diagnostics.Stopwatch.GetElapsedTime(started), failed: refused);
        }

        GatewayLog.AdminMcpToolCalled(_logger, name, result["isError"] is null ? "ok" : $"refused ({result["structuredContent"]?["status"]}): {result["structuredContent"]?["detail"]}");
        return Answer(request, result);
    }

    private static JsonObject Capabilities() => new() { ["tools"] = new JsonObject { ["listChanged"] = false } };

    private static JsonObject ServerInfo() => new() { ["name"] = "mcp-gateway-admin", ["title"] = "MCP Gateway management", ["version"] = GatewayVersion.Current };

    private static JsonRpcResponse Answer(JsonRpcRequest request, JsonObject result) => new() { Id = request.Id, Result = result };

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var body = new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail };
        await context.Response.WriteAsync(body.ToJsonString(McpWire.Options), context.RequestAborted);
    }
}
