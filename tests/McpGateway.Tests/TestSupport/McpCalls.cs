using System.Text.Json.Nodes;

namespace McpGateway.Tests.TestSupport;

/// <summary>The small MCP steps end-to-end tests repeat: connect to an endpoint, build a call, read its text, list tool names.</summary>
public static class McpCalls
{
    public static JsonObject Call(string tool, JsonObject? arguments = null) => new() { ["name"] = tool, ["arguments"] = arguments ?? new JsonObject() };

    public static string Text(JsonObject answer) => (string?)answer["result"]?["content"]?[0]?["text"] ?? answer.ToJsonString();

    public static async Task<McpHttpTestClient> ConnectAsync(GatewayHarness gateway, string path)
    {
        var client = new McpHttpTestClient(gateway.Http, new Uri(gateway.BaseAddress, path));
        await client.InitializeAsync();
        return client;
    }

    /// <summary>A client of one endpoint whose every request carries <c>Authorization: Bearer</c> (an API key or a token); none when null.</summary>
    public static McpHttpTestClient Client(GatewayHarness gateway, string path, string? bearer)
    {
        var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return new McpHttpTestClient(http, new Uri(gateway.BaseAddress, path));
    }

    /// <summary>An initialized session on one endpoint, with a bearer credential.</summary>
    public static async Task<McpHttpTestClient> ConnectAsync(GatewayHarness gateway, string path, string bearer)
    {
        var client = Client(gateway, path, bearer);
        await client.InitializeAsync();
        return client;
    }

    /// <summary>Sends <c>initialize</c> and returns the HTTP exchange as it is (for tests of refusals: 401, 403, 404).</summary>
    public static Task<HttpExchange> TryInitializeAsync(McpHttpTestClient client) => client.PostAsync(client.Request("initialize", new JsonObject
    {
        ["protocolVersion"] = "2025-11-25",
        ["capabilities"] = new JsonObject(),
        ["clientInfo"] = new JsonObject { ["name"] = "tests", ["version"] = "1.0" },
    }));

    /// <summary>
    /// One request of a session-less (2026-07-28) client: the revision in <c>_meta</c> and in the header, no
    /// <c>initialize</c> before it. Returns the last message of the answer.
    /// </summary>
    public static async Task<JsonObject> StatelessAsync(McpHttpTestClient client, string method, JsonObject parameters)
    {
        const string Revision = "2026-07-28";
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = Revision,
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
        };
        var exchange = await client.PostAsync(client.Request(method, parameters), r => r.Headers.Add("MCP-Protocol-Version", Revision));
        return exchange.Last;
    }

    public static async Task<List<string>> ToolNamesAsync(McpHttpTestClient client)
    {
        var answer = await client.CallAsync("tools/list", new JsonObject());
        return [.. answer["result"]!["tools"]!.AsArray().Select(t => (string)t!["name"]!)];
    }
}
