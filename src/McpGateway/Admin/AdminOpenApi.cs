using System.Text.Json.Nodes;

namespace McpGateway.Admin;

/// <summary>
/// The OpenAPI 3.1 document of the admin API, written by hand (Microsoft.AspNetCore.OpenApi is not on the package feed).
/// A test keeps it and the mapped routes in step: every route under <c>/api/v1</c> is described, and nothing else.
/// </summary>
internal static partial class AdminOpenApi
{
    public static readonly Lazy<string> Document = new(() => Build().ToJsonString());

    internal static JsonObject Build()
    {
        var paths = new JsonObject();
        void Add(string path, string method, JsonObject operation)
        {
            if (paths[path] is not JsonObject item)
            {
                item = [];
                paths[path] = item;
            }

            item[method] = operation;
        }

        JsonArray nameParameter(string what) => [Parameter("name", "path", $"the {what}'s name", Str(), required: true)];

        Add("/api/v1/servers", "get", Op("listServers", "List servers (file and registered)", "servers",
            parameters:
            [
                Parameter("status", "query", "which servers", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("all", "enabled", "disabled", "unhealthy"), ["default"] = "all" }),
                Parameter("tag", "query", "only servers with this tag (case-insensitive)", Str()),
                Parameter("q", "query", "case-insensitive text in the name, description, command or URL", Str()),
            ],
            responses: Responses(("200", "the servers", Ref("ServerList")), ("400", "unknown status", null))));
        Add("/api/v1/servers", "post", Op("registerServer", "Register a server", "servers",
            body: Ref("ServerRegistration"),
            responses: Responses(("201", "registered (Location names it)", Ref("ServerInfo")), ("400", "invalid definition", null), ("409", "the name is taken or defined in the config file", null))));
        Add("/api/v1/servers/{name}", "get", Op("getServer", "One server", "servers", nameParameter("server"),
            responses: Responses(("200", "the server", Ref("ServerInfo")), ("404", "no such server", null))));
        Add("/api/v1/servers/{name}", "put", Op("replaceServer", "Replace a registered server's definition", "servers", nameParameter("server"),
            body: Ref("ServerDefinition"),
            responses: Responses(("200", "replaced", Ref("ServerInfo")), ("400", "invalid definition", null), ("404", "not registered (PUT does not create)", null), ("409", "defined in the config file", null))));
        Add("/api/v1/servers/{name}", "patch", Op("patchServer", "Change a registered server with a JSON merge patch (RFC 7396)", "servers", nameParameter("server"),
            body: Ref("ServerDefinition"), bodyType: "application/merge-patch+json",
            responses: Responses(("200", "changed", Ref("ServerInfo")), ("400", "the result is invalid", null), ("404", "not registered", null), ("409", "defined in the config file", null))));
        Add("/api/v1/servers/{name}", "delete", Op("removeServer", "Remove a registered server", "servers", nameParameter("server"),
            responses: Responses(("204", "removed", null), ("404", "not registered", null), ("409", "defined in the config file, or a virtual server lists it", null))));
        foreach (var (action, summary) in (ReadOnlySpan<(string, string)>)[("enable", "Enable a registered server"), ("disable", "Disable a registered server (its tools leave every view)"), ("toggle", "Flip a registered server between enabled and disabled")])
        {
            Add($"/api/v1/servers/{{name}}/{action}", "post", Op($"{action}Server", summary, "servers", nameParameter("server"),
                responses: Responses(("200", "the server now", Ref("ServerInfo")), ("404", "not registered", null), ("409", "defined in the config file", null))));
        }

        Add("/api/v1/servers/{name}/refresh", "post", Op("refreshServer", "Reconnect to a server and list its tools again", "tools", nameParameter("server"),
            responses: Responses(("200", "the tools", Ref("ServerTools")), ("404", "no such running server", null), ("502", "the server cannot be reached", null))));
        var toolsParameters = nameParameter("server");
        toolsParameters.Add(Parameter("refresh", "query", "fetch the list from the server instead of the cache", new JsonObject { ["type"] = "boolean", ["default"] = false }));
        Add("/api/v1/servers/{name}/tools", "get", Op("getServerTools", "The tools one server offers (its own names, unfiltered)", "tools", toolsParameters,
            responses: Responses(("200", "the tools", Ref("ServerTools")), ("404", "no such running server", null), ("502", "the server cannot be reached", null))));
        Add("/api/v1/servers/{name}/health-check", "post", Op("checkServerHealth", "Check a server's health now", "health", nameParameter("server"),
            responses: Responses(("200", "the result", Ref("ServerHealthInfo")), ("404", "the server is not health-checked", null))));
        Add("/api/v1/tools", "get", Op("listAllTools", "The tools of every enabled server", "tools",
            responses: Responses(("200", "per server: tools, or the error", Ref("ToolsOverview")))));
        Add("/api/v1/health", "get", Op("getHealth", "Every checked server's health", "health",
            responses: Responses(("200", "summary and per-server detail", Ref("HealthOverview")))));

        Add("/api/v1/virtual-servers", "get", Op("listVirtualServers", "List virtual servers", "virtual-servers",
            responses: Responses(("200", "the virtual servers", Ref("VirtualServerList")))));
        Add("/api/v1/virtual-servers", "post", Op("registerVirtualServer", "Register a virtual server", "virtual-servers",
            body: Ref("VirtualServerRegistration"),
            responses: Responses(("201", "registered (Location names it)", Ref("VirtualServerInfo")), ("400", "invalid definition", null), ("409", "the name is taken or defined in the config file", null))));
        Add("/api/v1/virtual-servers/{name}", "get", Op("getVirtualServer", "One virtual server", "virtual-servers", nameParameter("virtual server"),
            responses: Responses(("200", "the virtual server", Ref("VirtualServerInfo")), ("404", "no such virtual server", null))));
        Add("/api/v1/virtual-servers/{name}", "put", Op("replaceVirtualServer", "Replace a registered virtual server's definition", "virtual-servers", nameParameter("virtual server"),
            body: Ref("VirtualServerDefinition"),
            responses: Responses(("200", "replaced", Ref("VirtualServerInfo")), ("400", "invalid definition", null), ("404", "not registered", null), ("409", "defined in the config file", null))));
        Add("/api/v1/virtual-servers/{name}", "patch", Op("patchVirtualServer", "Change a registered virtual server with a JSON merge patch (RFC 7396)", "virtual-servers", nameParameter("virtual server"),
            body: Ref("VirtualServerDefinition"), bodyType: "application/merge-patch+json",
            responses: Responses(("200", "changed", Ref("VirtualServerInfo")), ("400", "the result is invalid", null), ("404", "not registered", null), ("409", "defined in the config file", null))));
        Add("/api/v1/virtual-servers/{name}", "delete", Op("removeVirtualServer", "Remove a registered virtual server", "virtual-servers", nameParameter("virtual server"),
            responses: Responses(("204", "removed", null), ("404", "not registered", null), ("409", "defined in the config file", null))));

        Add("/api/v1/deploy", "post", Op("deploy", "Register or update many servers (and views) in one all-or-nothing change; also at POST /deploy", "registry",
            body: Ref("DeployDocument"),
            responses: Responses(("200", "what changed", Ref("DeployResult")), ("400", "an entry is invalid (nothing changed)", null), ("409", "an entry clashes with the config file (nothing changed)", null))));
        Add("/api/v1/export", "get", Op("export", "The whole registry as a config file `serve --config` accepts (secrets included)", "registry",
            responses: Responses(("200", "the config document", new JsonObject { ["type"] = "object" }))));
        Add("/api/v1/config", "get", Op("getConfigStatus", "Config reload status, the registry store, and stored entries set aside", "registry",
            responses: Responses(("200", "the status", Ref("ConfigStatus")))));
        Add("/api/v1/api-keys", "get", Op("listApiKeys", "List API keys (never their secrets or hashes)", "api-keys",
            responses: Responses(("200", "the keys, revoked ones included", Ref("ApiKeyList")))));
        Add("/api/v1/api-keys", "post", Op("createApiKey", "Create an API key; the answer is the only time the key is shown", "api-keys",
            body: Ref("ApiKeyRequest"),
            responses: Responses(("201", "the key (`key`) and its record", Ref("CreatedApiKey")), ("400", "invalid request", null))));
        Add("/api/v1/api-keys/{id}", "delete", Op("revokeApiKey", "Revoke an API key (takes effect at once on this replica, within 5 s on others)", "api-keys",
            [Parameter("id", "path", "the key's id (the part after `mgw_`)", Str(), required: true)],
            responses: Responses(("204", "revoked", null), ("404", "no such key", null))));
        Add("/api/v1/openapi.json", "get", Op("getOpenApi", "This document", "meta",
            responses: Responses(("200", "OpenAPI 3.1", new JsonObject { ["type"] = "object" }))));
        AddToolPinPaths(Add);
        AddAuditPaths(Add);
        AddCredentialPaths(Add);

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "McpGateway admin API",
                ["version"] = "1",
                ["description"] = "Manage the gateway's servers and virtual servers while it runs. Entries from the config file are read-only here; "
                    + "registered entries are stored. Errors are RFC 7807 problem details whose `errors` name the fields. Without an admin token "
                    + "(gateway.adminToken or MCP_GATEWAY_ADMIN_TOKEN) the API answers loopback clients only.",
            },
            ["security"] = new JsonArray(new JsonObject { ["adminToken"] = new JsonArray() }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["adminToken"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "the admin token (gateway.adminToken or MCP_GATEWAY_ADMIN_TOKEN)" },
                },
                ["responses"] = new JsonObject
                {
                    ["Problem"] = new JsonObject
                    {
                        ["description"] = "RFC 7807 problem details",
                        ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = Ref("Problem") } },
                    },
                },
                ["schemas"] = AddCredentialSchemas(AddAuditSchemas(AddToolPinSchemas(Schemas()))),
            },
        };
    }

    private static JsonObject Op(string id, string summary, string tag, JsonArray? parameters = null, JsonObject? body = null, string bodyType = "application/json", JsonObject? responses = null)
    {
        var operation = new JsonObject { ["operationId"] = id, ["summary"] = summary, ["tags"] = new JsonArray(tag) };
        if (parameters is { Count: > 0 })
        {
            operation["parameters"] = parameters;
        }

        if (body is not null)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { [bodyType] = new JsonObject { ["schema"] = body } },
            };
        }

        var all = responses ?? [];
        all["401"] = new JsonObject { ["$ref"] = "#/components/responses/Problem", ["description"] = "no or wrong admin token" };
        all["403"] = new JsonObject { ["$ref"] = "#/components/responses/Problem", ["description"] = "no admin token set and the client is not on loopback" };
        operation["responses"] = all;
        return operation;
    }

    private static JsonObject Responses(params (string Status, string Description, JsonObject? Schema)[] responses)
    {
        var result = new JsonObject();
        foreach (var (status, description, schema) in responses)
        {
            if (status[0] is '4' or '5')
            {
                result[status] = new JsonObject { ["$ref"] = "#/components/responses/Problem", ["description"] = description };
            }
            else
            {
                var response = new JsonObject { ["description"] = description };
                if (schema is not null)
                {
                    response["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } };
                }

                result[status] = response;
            }
        }

        return result;
    }

    private static JsonObject Parameter(string name, string location, string description, JsonObject schema, bool required = false) => new()
    {
        ["name"] = name,
        ["in"] = location,
        ["required"] = required,
        ["description"] = description,
        ["schema"] = schema,
    };

    private static JsonObject Ref(string schema) => new() { ["$ref"] = $"#/components/schemas/{schema}" };

    private static JsonObject Str() => new() { ["type"] = "string" };

    private static JsonObject NullableStr() => new() { ["type"] = new JsonArray("string", "null") };

    private static JsonObject Strings() => new() { ["type"] = "array", ["items"] = Str() };

    private static JsonObject Time() => new() { ["type"] = "string", ["format"] = "date-time" };

    private static JsonObject Obj(JsonObject properties, params string[] required) => new()
    {
        ["type"] = "object",
        ["properties"] = properties,
        ["required"] = new JsonArray([.. required.Select(name => (JsonNode)name)]),
    };

    private static JsonObject ArrayOf(string schema) => new() { ["type"] = "array", ["items"] = Ref(schema) };

    private static JsonObject Filter() => new()
    {
        ["type"] = "object",
        ["description"] = "glob patterns; deny wins over allow",
        ["properties"] = new JsonObject { ["allow"] = Strings(), ["deny"] = Strings() },
    };

    private static JsonObject ServerDefinitionProperties() => new()
    {
        ["command"] = new JsonObject { ["type"] = "string", ["description"] = "stdio: the program to run" },
        ["args"] = Strings(),
        ["env"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = Str(), ["description"] = "values may be ${VAR} references" },
        ["cwd"] = Str(),
        ["url"] = new JsonObject { ["type"] = "string", ["format"] = "uri", ["description"] = "remote: Streamable HTTP or SSE endpoint" },
        ["transport"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("stdio", "http", "streamable-http", "sse") },
        ["headers"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = Str() },
        ["auth"] = new JsonObject
        {
            ["type"] = "object",
            ["description"] = "remote: OAuth 2.0 client credentials the gateway uses itself; clientSecret is masked in answers",
            ["required"] = new JsonArray("type", "tokenUrl", "clientId", "clientSecret"),
            ["properties"] = new JsonObject
            {
                ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("clientCredentials") },
                ["tokenUrl"] = new JsonObject { ["type"] = "string", ["format"] = "uri" },
                ["clientId"] = Str(),
                ["clientSecret"] = new JsonObject { ["type"] = "string", ["description"] = "prefer a ${VAR} reference" },
                ["scope"] = Str(),
                ["audience"] = Str(),
                ["tokenEndpointAuthMethod"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("client_secret_basic", "client_secret_post") },
            },
        },
        ["description"] = Str(),
        ["tags"] = Strings(),
        ["enabled"] = new JsonObject { ["type"] = "boolean", ["default"] = true },
        ["tools"] = Filter(),
        ["prompts"] = Filter(),
        ["resources"] = Filter(),
    };

    private static JsonObject ViewDefinitionProperties() => new()
    {
        ["description"] = Str(),
        ["servers"] = new JsonObject { ["type"] = "array", ["items"] = Str(), ["description"] = "member servers; empty or missing: all enabled servers" },
        ["tenant"] = new JsonObject { ["type"] = "string", ["description"] = "the owning tenant: with authorization on, other tenants cannot see the view" },
        ["tools"] = Filter(),
        ["prompts"] = Filter(),
        ["resources"] = Filter(),
        ["overrides"] = new JsonObject { ["type"] = "object", ["description"] = "per-tool renames and description overrides, as in the config file" },
    };

    private static JsonObject Schemas()
    {
        var serverDefinition = ServerDefinitionProperties();
        var serverRegistration = ServerDefinitionProperties();
        serverRegistration["name"] = Str();
        var viewRegistration = ViewDefinitionProperties();
        viewRegistration["name"] = Str();
        var fieldError = Obj(new JsonObject { ["field"] = Str(), ["message"] = Str() }, "field", "message");
        var health = Obj(new JsonObject
        {
            ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("unknown", "healthy", "degraded", "unhealthy") },
            ["latencyMs"] = new JsonObject { ["type"] = "number" },
            ["lastCheck"] = Time(),
            ["consecutiveFailures"] = new JsonObject { ["type"] = "integer" },
            ["lastError"] = Str(),
        }, "status", "consecutiveFailures");
        var healthEntry = health.DeepClone().AsObject();
        healthEntry["properties"]!["name"] = Str();
        healthEntry["required"]!.AsArray().Add("name");
        return new JsonObject
        {
            ["Problem"] = Obj(new JsonObject
            {
                ["type"] = Str(),
                ["title"] = Str(),
                ["status"] = new JsonObject { ["type"] = "integer" },
                ["detail"] = Str(),
                ["errors"] = ArrayOf("FieldError"),
            }, "type", "title", "status", "detail"),
            ["FieldError"] = fieldError,
            ["ServerDefinition"] = new JsonObject { ["type"] = "object", ["description"] = "an mcpServers entry: command/args/env/cwd or url/transport/headers", ["properties"] = serverDefinition },
            ["ServerRegistration"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("name"), ["properties"] = serverRegistration },
            ["ServerInfo"] = Obj(new JsonObject
            {
                ["name"] = Str(),
                ["origin"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("file", "registry") },
                ["state"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("active", "set-aside") },
                ["enabled"] = new JsonObject { ["type"] = "boolean" },
                ["transport"] = Str(),
                ["description"] = Str(),
                ["tags"] = Strings(),
                ["command"] = Str(),
                ["args"] = Strings(),
                ["url"] = Str(),
                ["health"] = Ref("ServerHealthInfo"),
                ["definition"] = new JsonObject { ["type"] = "object", ["description"] = "as written; secret header/env values masked" },
                ["createdAt"] = Time(),
                ["updatedAt"] = Time(),
                ["errors"] = ArrayOf("FieldError"),
            }, "name", "origin", "state", "enabled", "tags"),
            ["ServerList"] = Obj(new JsonObject { ["servers"] = ArrayOf("ServerInfo") }, "servers"),
            ["ServerHealthInfo"] = health,
            ["ServerHealthEntry"] = healthEntry,
            ["HealthOverview"] = Obj(new JsonObject
            {
                ["upstreams"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("unknown", "healthy", "degraded", "unhealthy") },
                ["servers"] = ArrayOf("ServerHealthEntry"),
            }, "upstreams", "servers"),
            ["ServerTools"] = Obj(new JsonObject
            {
                ["server"] = Str(),
                ["tools"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" }, ["description"] = "the MCP Tool objects as the server listed them" },
                ["exposed"] = new JsonObject { ["type"] = "array", ["items"] = Str(), ["description"] = "tool names the server's `tools` filter lets through" },
                ["fetchedAt"] = Time(),
            }, "server", "tools", "exposed", "fetchedAt"),
            ["ToolsOverview"] = Obj(new JsonObject
            {
                ["servers"] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = Obj(new JsonObject
                    {
                        ["server"] = Str(),
                        ["tools"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" } },
                        ["exposed"] = Strings(),
                        ["fetchedAt"] = Time(),
                        ["error"] = Str(),
                    }, "server"),
                },
            }, "servers"),
            ["VirtualServerDefinition"] = new JsonObject { ["type"] = "object", ["description"] = "a virtualServers entry", ["properties"] = ViewDefinitionProperties() },
            ["VirtualServerRegistration"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("name"), ["properties"] = viewRegistration },
            ["VirtualServerInfo"] = Obj(new JsonObject
            {
                ["name"] = Str(),
                ["origin"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("file", "registry") },
                ["state"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("active", "set-aside") },
                ["description"] = Str(),
                ["servers"] = Strings(),
                ["members"] = new JsonObject { ["type"] = "array", ["items"] = Str(), ["description"] = "the enabled servers it aggregates now" },
                ["endpoint"] = Str(),
                ["definition"] = new JsonObject { ["type"] = "object" },
                ["createdAt"] = Time(),
                ["updatedAt"] = Time(),
                ["errors"] = ArrayOf("FieldError"),
            }, "name", "origin", "state", "servers", "members", "endpoint"),
            ["VirtualServerList"] = Obj(new JsonObject { ["virtualServers"] = ArrayOf("VirtualServerInfo") }, "virtualServers"),
            ["DeployDocument"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "a Claude Desktop / Cursor config (`mcpServers`), a VS Code one (`servers`), optionally with `virtualServers`; other sections are ignored",
                ["properties"] = new JsonObject
                {
                    ["mcpServers"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("ServerDefinition") },
                    ["servers"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("ServerDefinition") },
                    ["virtualServers"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("VirtualServerDefinition") },
                },
            },
            ["DeployResult"] = Obj(new JsonObject
            {
                ["created"] = Strings(),
                ["updated"] = Strings(),
                ["unchanged"] = Strings(),
                ["createdVirtualServers"] = Strings(),
                ["updatedVirtualServers"] = Strings(),
                ["unchangedVirtualServers"] = Strings(),
                ["ignoredSections"] = Strings(),
            }, "created", "updated", "unchanged", "createdVirtualServers", "updatedVirtualServers", "unchangedVirtualServers", "ignoredSections"),
            ["ConfigStatus"] = Obj(new JsonObject
            {
                ["version"] = new JsonObject { ["type"] = "integer" },
                ["contentHash"] = NullableStr(),
                ["lastAttempt"] = Time(),
                ["lastSuccess"] = Time(),
                ["errors"] = new JsonObject { ["type"] = "array", ["items"] = Ref("FieldError"), ["description"] = "why the last reload was rejected; empty when it was applied" },
                ["store"] = Str(),
                ["setAside"] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = Obj(new JsonObject
                    {
                        ["kind"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("server", "virtualServer") },
                        ["name"] = Str(),
                        ["errors"] = ArrayOf("FieldError"),
                    }, "kind", "name", "errors"),
                },
            }, "version", "errors", "store", "setAside"),
            ["ApiKeyRequest"] = Obj(new JsonObject
            {
                ["name"] = Str(),
                ["roles"] = new JsonObject { ["type"] = "array", ["items"] = Str(), ["description"] = "e.g. admin, admin-readonly, or team roles" },
                ["tenant"] = Str(),
                ["expiresIn"] = new JsonObject { ["type"] = "string", ["description"] = "lifetime such as 30d, 12h, 90m; or give expiresAt" },
                ["expiresAt"] = Time(),
            }, "name"),
            ["ApiKeyInfo"] = Obj(new JsonObject
            {
                ["id"] = Str(),
                ["name"] = Str(),
                ["roles"] = Strings(),
                ["tenant"] = Str(),
                ["createdAt"] = Time(),
                ["expiresAt"] = Time(),
                ["revokedAt"] = Time(),
                ["lastUsedAt"] = new JsonObject { ["type"] = "string", ["format"] = "date-time", ["description"] = "updated at most once a minute" },
            }, "id", "name", "roles", "createdAt"),
            ["ApiKeyList"] = Obj(new JsonObject { ["apiKeys"] = ArrayOf("ApiKeyInfo") }, "apiKeys"),
            ["CreatedApiKey"] = Obj(new JsonObject { ["key"] = Str(), ["apiKey"] = Ref("ApiKeyInfo") }, "key", "apiKey"),
        };
    }
}
