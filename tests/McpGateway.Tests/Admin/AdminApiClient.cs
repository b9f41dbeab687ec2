using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Admin;

/// <summary>A real HttpClient over a gateway's admin API; answers are parsed as JSON where they have a body.</summary>
internal sealed class AdminApiClient(GatewayHarness gateway, string? token = null)
{
    public const string DemoDefinition = """{"command":"mcp-gateway","args":["demo-server"],"env":{"MCP_DEMO_TEST_TOOLS":"1"}}""";

    public static JsonObject Demo(string? name = null, string? extra = null)
    {
        var entry = JsonNode.Parse(DemoDefinition)!.AsObject();
        if (name is not null)
        {
            entry.Insert(0, "name", name);
        }

        if (extra is not null)
        {
            foreach (var (key, value) in JsonNode.Parse(extra)!.AsObject())
            {
                entry[key] = value?.DeepClone();
            }
        }

        return entry;
    }

    public Task<AdminAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<AdminAnswer> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public Task<AdminAnswer> PostAsync(string path, JsonNode? body = null) => SendAsync(HttpMethod.Post, path, body?.ToJsonString());

    public Task<AdminAnswer> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body.ToJsonString());

    public Task<AdminAnswer> PatchAsync(string path, JsonNode body) => SendAsync(HttpMethod.Patch, path, body.ToJsonString(), "application/merge-patch+json");

    public async Task<AdminAnswer> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(gateway.BaseAddress, path.TrimStart('/')));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if ((bearer ?? token) is { } credential)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        using var response = await gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new AdminAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}

internal sealed record AdminAnswer(HttpStatusCode Status, string? MediaType, HttpResponseHeaders Headers, JsonNode? Body)
{
    public JsonObject Json => Body!.AsObject();

    /// <summary>The problem's <c>errors[].field</c> values.</summary>
    public IReadOnlyList<string> Fields => Body?["errors"] is JsonArray errors ? [.. errors.Select(error => (string)error!["field"]!)] : [];

    public override string ToString() => $"{(int)Status} {Body?.ToJsonString()}";
}
