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

    public static async Task<List<string>> ToolNamesAsync(McpHttpTestClient client)
    {
        var answer = await client.CallAsync("tools/list", new JsonObject());
        return [.. answer["result"]!["tools"]!.AsArray().Select(t => (string)t!["name"]!)];
    }
}
