using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Hosting;

/// <summary>The answer of one admin API call: status, and the body parsed as JSON when it is JSON.</summary>
internal sealed record AdminApiResponse(HttpStatusCode Status, string Text, JsonNode? Json)
{
    public bool Succeeded => (int)Status is >= 200 and < 300;
}

/// <summary>The gateway could not be reached at all (connection refused, DNS, timeout): exit code 3, not 1.</summary>
internal sealed class GatewayUnreachableException(Uri gateway, Exception inner)
    : Exception($"cannot reach the gateway at {gateway}: {inner.Message}", inner)
{
    public Uri Gateway { get; } = gateway;
}

/// <summary>A thin HTTP client for a running gateway's <c>/api/v1</c> (the REST contract of issue #5).</summary>
internal sealed class AdminApiClient : IDisposable
{
    // Generous, yet a stuck gateway does not hang a script forever.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    public AdminApiClient(Uri gateway, string? token)
    {
        Gateway = gateway;
        _http = new HttpClient { BaseAddress = gateway, Timeout = RequestTimeout };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Gateway { get; }

    public Task<AdminApiResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public async Task<AdminApiResponse> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return new AdminApiResponse(response.StatusCode, text, TryParse(text));
        }
        catch (HttpRequestException ex)
        {
            throw new GatewayUnreachableException(Gateway, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GatewayUnreachableException(Gateway, new TimeoutException($"no answer within {RequestTimeout.TotalSeconds:0} s", ex));
        }
    }

    public void Dispose() => _http.Dispose();

    private static JsonNode? TryParse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
