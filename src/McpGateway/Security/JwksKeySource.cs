using System.Net.Http.Headers;
using McpGateway.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Security;

/// <summary>
/// The issuer's JSON Web Key Set, fetched from its URL and cached for the response's <c>Cache-Control: max-age</c>
/// (clamped to [<see cref="MinCacheLifetime"/>, <see cref="MaxCacheLifetime"/>]). A token signed with an unknown
/// <c>kid</c> triggers a refetch (key rollover without restart), but fetches start at most once per
/// refresh interval, so tokens with random kids cannot turn the gateway into a load generator against the issuer.
/// </summary>
internal sealed class JwksKeySource(Uri url, TimeSpan refreshInterval, HttpClient http, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan MinCacheLifetime = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxCacheLifetime = TimeSpan.FromHours(24);

    /// <summary>When the response says nothing about caching.</summary>
    public static readonly TimeSpan DefaultCacheLifetime = TimeSpan.FromHours(1);

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private const int MaxDocumentBytes = 1024 * 1024;

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private KeySet? _keys;
    private DateTimeOffset? _lastAttempt;

    public Uri Url => url;

    public TimeSpan RefreshInterval => refreshInterval;

    /// <summary>The cached keys, refetched first when the cache expired or <paramref name="kid"/> is not among them (both throttled).</summary>
    public async ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(string? kid, CancellationToken cancellationToken)
    {
        var keys = Volatile.Read(ref _keys);
        if (keys is not null && !keys.IsExpired(time.GetUtcNow()) && (kid is null || keys.Kids.Contains(kid)))
        {
            return keys.Keys;
        }

        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have fetched while this one waited.
            keys = _keys;
            var now = time.GetUtcNow();
            var expired = keys is null || keys.IsExpired(now);
            if (!expired && (kid is null || keys!.Kids.Contains(kid)))
            {
                return keys!.Keys;
            }

            if (_lastAttempt is { } last && now - last < refreshInterval)
            {
                GatewayLog.JwksRefreshThrottled(logger, Printable(kid), (now - last).TotalSeconds, refreshInterval.TotalSeconds);
                return keys?.Keys ?? [];
            }

            _lastAttempt = now;
            var fetched = await FetchAsync(expired ? (keys is null ? "first use" : "cache expired") : "unknown kid", keys, cancellationToken).ConfigureAwait(false);
            if (fetched is not null)
            {
                Volatile.Write(ref _keys, fetched);
            }

            return (fetched ?? keys)?.Keys ?? [];
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task<KeySet?> FetchAsync(string cause, KeySet? cached, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FetchTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                GatewayLog.JwksFetchFailed(logger, url, $"HTTP {(int)response.StatusCode}", cached?.Keys.Count ?? 0);
                return null;
            }

            if (response.Content.Headers.ContentLength > MaxDocumentBytes)
            {
                GatewayLog.JwksFetchFailed(logger, url, $"document larger than {MaxDocumentBytes} bytes", cached?.Keys.Count ?? 0);
                return null;
            }

            var json = await ReadLimitedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            if (json is null)
            {
                GatewayLog.JwksFetchFailed(logger, url, $"document larger than {MaxDocumentBytes} bytes", cached?.Keys.Count ?? 0);
                return null;
            }

            var signingKeys = new JsonWebKeySet(json).GetSigningKeys();
            var lifetime = CacheLifetime(response.Headers.CacheControl);
            var keys = new KeySet(
                [.. signingKeys],
                signingKeys.Where(key => key.KeyId is not null).Select(key => key.KeyId).ToHashSet(StringComparer.Ordinal),
                time.GetUtcNow() + lifetime);
            GatewayLog.JwksFetched(logger, url, keys.Keys.Count, lifetime.TotalSeconds, cause);
            return keys;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            GatewayLog.JwksFetchFailed(logger, url, $"no answer within {FetchTimeout.TotalSeconds} s", cached?.Keys.Count ?? 0);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or ArgumentException or System.Text.Json.JsonException or InvalidOperationException)
        {
            GatewayLog.JwksFetchFailed(logger, url, ex.GetType().Name + ": " + ex.Message, cached?.Keys.Count ?? 0);
            return null;
        }
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal static TimeSpan CacheLifetime(CacheControlHeaderValue? cacheControl)
    {
        if (cacheControl is null || cacheControl.MaxAge is not { } maxAge)
        {
            return cacheControl is { NoStore: true } or { NoCache: true } ? MinCacheLifetime : DefaultCacheLifetime;
        }

        return maxAge < MinCacheLifetime ? MinCacheLifetime : maxAge > MaxCacheLifetime ? MaxCacheLifetime : maxAge;
    }

    /// <summary>A kid comes from an untrusted token: log at most a short, printable form.</summary>
    internal static string Printable(string? text)
    {
        if (text is null)
        {
            return "(none)";
        }

        var clean = new string(text.Take(64).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' ? c : '?').ToArray());
        return text.Length > 64 ? clean + "…" : clean;
    }

    private sealed record KeySet(IReadOnlyList<SecurityKey> Keys, HashSet<string> Kids, DateTimeOffset ExpiresAt)
    {
        public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;
    }
}
