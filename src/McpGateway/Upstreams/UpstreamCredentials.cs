using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Observability;
using Microsoft.Extensions.Logging;

namespace McpGateway.Upstreams;

/// <summary>
/// One server's OAuth 2.0 client credentials token: fetched on first use, reused until shortly before it expires,
/// refreshed by one caller while concurrent callers wait for that same fetch (single flight).
/// </summary>
internal sealed class ClientCredentialsTokenSource(string server, ClientCredentialsAuth auth, HttpClient http, TimeProvider time, ILogger logger)
{
    /// <summary>Lifetime assumed when the token endpoint gives no <c>expires_in</c>.</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxRefreshMargin = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _fetch = new(1, 1);
    private volatile CachedToken? _token;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_token) is { } token)
        {
            return token;
        }

        await _fetch.WaitAsync(cancellationToken);
        try
        {
            // Whoever waited behind the fetcher gets its token.
            if (Fresh(_token) is { } fetched)
            {
                return fetched;
            }

            var next = await FetchAsync(cancellationToken);
            _token = next;
            return next.Value;
        }
        finally
        {
            _fetch.Release();
        }
    }

    /// <summary>The upstream refused <paramref name="token"/>: forget it, unless another caller already replaced it.</summary>
    public void Invalidate(string token)
    {
        if (_token is { } current && current.Value == token)
        {
            _token = null;
        }
    }

    private string? Fresh(CachedToken? token) => token is not null && time.GetUtcNow() < token.RefreshAt ? token.Value : null;

    private async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (auth.Scope is { } scope)
        {
            form.Add(new("scope", scope));
        }

        if (auth.Audience is { } audience)
        {
            form.Add(new("audience", audience));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, auth.TokenUrl);
        if (auth.Method == ClientAuthenticationMethod.ClientSecretPost)
        {
            form.Add(new("client_id", auth.ClientId));
            form.Add(new("client_secret", auth.ClientSecret));
        }
        else
        {
            // RFC 6749 §2.3.1: each part form-URL-encoded before Base64.
            var pair = $"{Uri.EscapeDataString(auth.ClientId)}:{Uri.EscapeDataString(auth.ClientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var endpoint = auth.TokenUrl.GetLeftPart(UriPartial.Path);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"the token endpoint answered {(int)response.StatusCode}{OAuthError(body)}", null, response.StatusCode);
            }

            var (value, lifetime) = ParseToken(body);
            var now = time.GetUtcNow();
            var margin = TimeSpan.FromTicks(Math.Min(MaxRefreshMargin.Ticks, lifetime.Ticks / 10));
            GatewayLog.UpstreamTokenFetched(logger, server, endpoint, lifetime);
            return new CachedToken(value, now + lifetime - margin);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or FormatException)
        {
            // Messages name the endpoint and the OAuth error code, never the secret or a token.
            GatewayLog.UpstreamTokenFailed(logger, server, endpoint, ex.Message);
            throw new HttpRequestException($"cannot get an access token for server `{server}` from {endpoint}: {ex.Message}", ex);
        }
    }

    private static (string Value, TimeSpan Lifetime) ParseToken(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("access_token", out var accessToken) || accessToken.ValueKind != JsonValueKind.String
            || accessToken.GetString() is not { Length: > 0 } value)
        {
            throw new FormatException("the token response has no access_token");
        }

        var lifetime = DefaultLifetime;
        if (root.TryGetProperty("expires_in", out var expiresIn))
        {
            // Some servers send the number as a string.
            if (expiresIn.ValueKind == JsonValueKind.Number && expiresIn.TryGetDouble(out var seconds)
                || expiresIn.ValueKind == JsonValueKind.String && double.TryParse(expiresIn.GetString(), System.Globalization.CultureInfo.InvariantCulture, out seconds))
            {
                lifetime = TimeSpan.FromSeconds(Math.Max(0, seconds));
            }
        }

        return (value, lifetime);
    }

    /// <summary>The RFC 6749 §5.2 <c>error</c> code, if the body has one (short, safe to log).</summary>
    private static string OAuthError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
                ? $" ({error.GetString()})"
                : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}

/// <summary>Sends the server's bearer token; a 401 drops it and the request is retried once with a new one.</summary>
internal sealed class BearerTokenHandler(string server, ClientCredentialsTokenSource tokens, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Revoked or rotated early: one retry with a fresh token; a second 401 goes back to the caller.
        response.Dispose();
        tokens.Invalidate(token);
        GatewayLog.UpstreamTokenRejected(logger, server);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}
