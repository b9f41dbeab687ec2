using System.Text.Json.Nodes;

namespace McpGateway.Admin;

/// <summary>The tool-pin routes of the admin API's OpenAPI document.</summary>
internal static partial class AdminOpenApi
{
    private static void AddToolPinPaths(Action<string, string, JsonObject> add)
    {
        JsonArray pinParameters() =>
        [
            Parameter("server", "path", "the server's name", Str(), required: true),
            Parameter("tool", "path", "the tool's name as the server lists it", Str(), required: true),
        ];

        add("/api/v1/tool-pins", "get", Op("listToolPins", "Pinned tool definitions, and changed ones withheld until approved", "tool-pins",
            parameters:
            [
                Parameter("status", "query", "which pins", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("all", "pending", "approved"), ["default"] = "all" }),
                Parameter("server", "query", "only this server's pins", Str()),
            ],
            responses: Responses(("200", "the pins", Ref("ToolPinList")), ("400", "unknown status", null))));
        add("/api/v1/tool-pins/{server}/{tool}/approve", "post", Op("approveToolPin", "Approve a changed tool definition: the tool is listed and callable again", "tool-pins", pinParameters(),
            responses: Responses(("200", "the pin now", Ref("ToolPin")), ("404", "no such pin", null), ("409", "nothing awaits approval", null))));
        add("/api/v1/tool-pins/{server}/{tool}", "delete", Op("forgetToolPin", "Forget a pin: the next definition seen is trusted on first use", "tool-pins", pinParameters(),
            responses: Responses(("204", "forgotten", null), ("404", "no such pin", null))));
    }

    private static JsonObject AddToolPinSchemas(JsonObject schemas)
    {
        schemas["ToolPin"] = Obj(new JsonObject
        {
            ["server"] = Str(),
            ["tool"] = Str(),
            ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("approved", "pending") },
            ["approvedHash"] = new JsonObject { ["type"] = "string", ["description"] = "hex SHA-256 of the approved definition's canonical JSON" },
            ["approvedAt"] = Time(),
            ["pendingHash"] = new JsonObject { ["type"] = "string", ["description"] = "hex SHA-256 of the changed definition awaiting approval" },
            ["firstSeen"] = new JsonObject { ["type"] = "string", ["format"] = "date-time", ["description"] = "when the pending definition was first seen" },
            ["diff"] = new JsonObject { ["type"] = "string", ["description"] = "which fields the pending definition changes (schema changes as JSON paths)" },
        }, "server", "tool", "status");
        schemas["ToolPinList"] = Obj(new JsonObject { ["pins"] = ArrayOf("ToolPin") }, "pins");
        return schemas;
    }
}
