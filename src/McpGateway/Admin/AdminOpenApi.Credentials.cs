using System.Text.Json.Nodes;

namespace McpGateway.Admin;

/// <summary>The self-service credential routes of the admin API's OpenAPI document.</summary>
internal static partial class AdminOpenApi
{
    private static void AddCredentialPaths(Action<string, string, JsonObject> add)
    {
        const string Tag = "credentials";
        var server = new JsonArray(Parameter("server", "path", "a server with `auth: { type: perPrincipal }`", Str(), required: true));
        add("/api/v1/credentials", "get", Op("listCredentials", "Your stored upstream credentials (never their values) and the per-principal servers you may reach; any authenticated principal", Tag,
            responses: Responses(("200", "yours", Ref("CredentialList")))));
        add("/api/v1/credentials/{server}", "put", Op("saveCredential", "Store or replace your own credential for a per-principal server; your open connections to it reconnect with it", Tag,
            (JsonArray)server.DeepClone(),
            body: Obj(new JsonObject { ["credential"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = Security.PrincipalCredentials.MaxCredentialLength } }, "credential"),
            responses: Responses(("204", "stored (encrypted)", null), ("400", "invalid credential", null), ("404", "no such per-principal server available to you", null))));
        add("/api/v1/credentials/{server}", "delete", Op("deleteCredential", "Delete your own credential for a server", Tag,
            (JsonArray)server.DeepClone(),
            responses: Responses(("204", "deleted", null), ("404", "none stored, or no such server available to you", null))));
    }

    private static JsonObject AddCredentialSchemas(JsonObject schemas)
    {
        schemas["CredentialList"] = Obj(new JsonObject
        {
            ["principal"] = Str(),
            ["credentials"] = new JsonObject { ["type"] = "array", ["items"] = Obj(new JsonObject { ["server"] = Str(), ["updatedAt"] = Time() }, "server", "updatedAt") },
            ["servers"] = new JsonObject { ["type"] = "array", ["items"] = Str() },
        }, "principal", "credentials", "servers");
        return schemas;
    }
}
