using System.Text.Json.Nodes;

namespace McpGateway.Admin;

/// <summary>The audit route of the admin API's OpenAPI document.</summary>
internal static partial class AdminOpenApi
{
    private static void AddAuditPaths(Action<string, string, JsonObject> add) =>
        add("/api/v1/audit", "get", Op("queryAudit", "Audit records, newest first, filtered and paged", "audit",
            parameters:
            [
                Parameter("principal", "query", "principal id, e.g. apikey:7f3a0c9e12b4d5e6", Str()),
                Parameter("tenant", "query", "tenant", Str()),
                Parameter("kind", "query", "what was done", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("tools/call", "prompts/get", "resources/read", "admin") }),
                Parameter("view", "query", "virtual server (`default` for /mcp)", Str()),
                Parameter("server", "query", "upstream server", Str()),
                Parameter("item", "query", "the start of the tool, prompt, URI or admin request", Str()),
                Parameter("outcome", "query", "how it ended", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("ok", "error", "denied", "cancelled") }),
                Parameter("from", "query", "records at or after (RFC 3339)", Time()),
                Parameter("to", "query", "records before (RFC 3339)", Time()),
                Parameter("limit", "query", "page size", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 1000, ["default"] = 100 }),
                Parameter("cursor", "query", "`nextCursor` of the previous page", Str()),
            ],
            responses: Responses(("200", "one page", Ref("AuditPage")), ("400", "invalid filter", null))));

    private static JsonObject AddAuditSchemas(JsonObject schemas)
    {
        schemas["AuditRecord"] = Obj(new JsonObject
        {
            ["id"] = Str(),
            ["time"] = Time(),
            ["kind"] = Str(),
            ["principalId"] = Str(),
            ["principalName"] = Str(),
            ["tenant"] = Str(),
            ["view"] = Str(),
            ["server"] = Str(),
            ["item"] = Str(),
            ["outcome"] = Str(),
            ["code"] = new JsonObject { ["type"] = "integer", ["description"] = "JSON-RPC error code, or the HTTP status of an admin request" },
            ["durationMs"] = new JsonObject { ["type"] = "number" },
            ["traceId"] = Str(),
            ["arguments"] = new JsonObject { ["type"] = "string", ["description"] = "sha256:<hex> of the arguments (default), their redacted JSON, or absent" },
        }, "id", "time", "kind", "principalId", "principalName", "outcome", "durationMs");
        schemas["AuditPage"] = Obj(new JsonObject { ["items"] = ArrayOf("AuditRecord"), ["nextCursor"] = Str() }, "items");
        return schemas;
    }
}
