using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using McpGateway.Observability;
using Microsoft.Extensions.Logging;

namespace McpGateway.Security;

/// <summary>
/// Creates, lists, revokes and verifies API keys. A key is <c>mgw_{id}_{secret}</c>: 8 random bytes of id (hex) and
/// 32 random bytes of secret (hex); only SHA-256 of the secret is stored. Lookups are cached for
/// <see cref="CacheLifetime"/>, so a revocation made on another replica applies within that bound and one made on
/// this replica applies at once.
/// </summary>
internal sealed class ApiKeyService(IApiKeyStore store, TimeProvider time, ILogger<ApiKeyService> logger)
{
    public const string Prefix = "mgw_";

    /// <summary>How stale a cached lookup may be: the bound on revocation through another replica.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    /// <summary>Last-used times are written at most this often per key.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private const int IdBytes = 8;
    private const int SecretBytes = 32;

    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Key, DateTimeOffset FetchedAt)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastTouched = new(StringComparer.Ordinal);

    /// <summary>Stores a new key and returns it with the one copy of its full text.</summary>
    public async Task<(ApiKeyRecord Key, string Secret)> CreateAsync(string name, IReadOnlyList<string> roles, string? tenant, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretBytes));
        var key = new ApiKeyRecord(id, name, roles, tenant, time.GetUtcNow(), expiresAt, null, null, Hash(secret));
        await store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        GatewayLog.ApiKeyCreated(logger, id, name, string.Join(',', roles), tenant ?? "-");
        return (key, $"{Prefix}{id}_{secret}");
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var found = await store.RevokeAsync(id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(id, out _);
        if (found)
        {
            GatewayLog.ApiKeyRevoked(logger, id);
        }

        return found;
    }

    /// <summary>True when <paramref name="text"/> looks like one of our keys (so this authenticator owns it, right or wrong).</summary>
    public static bool LooksLikeKey(string text) => text.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Checks a presented key; the outcome's reason is one of a fixed set (it labels a metric).</summary>
    public async ValueTask<AuthenticationOutcome> VerifyAsync(string presented, CancellationToken cancellationToken)
    {
        if (!TryParse(presented, out var id, out var secret))
        {
            return AuthenticationOutcome.Reject("malformed_key");
        }

        var key = await FindCachedAsync(id, cancellationToken).ConfigureAwait(false);

        // Hash even for an unknown id, so timing does not tell which ids exist.
        var hash = Hash(secret);
        if (key is null || !CryptographicOperations.FixedTimeEquals(hash, key.SecretHash))
        {
            return AuthenticationOutcome.Reject("unknown_key");
        }

        var now = time.GetUtcNow();
        if (key.IsRevoked)
        {
            return AuthenticationOutcome.Reject("revoked_key");
        }

        if (key.IsExpiredAt(now))
        {
            return AuthenticationOutcome.Reject("expired_key");
        }

        await TouchAsync(key.Id, now, cancellationToken).ConfigureAwait(false);
        return AuthenticationOutcome.Success(new GatewayPrincipal("apikey:" + key.Id, PrincipalKind.ApiKey, key.Name, key.Roles, key.Tenant, []));
    }

    private async ValueTask<ApiKeyRecord?> FindCachedAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && now - cached.FetchedAt < CacheLifetime)
        {
            return cached.Key;
        }

        var key = await store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        _cache[id] = (key, now);
        return key;
    }

    private async ValueTask TouchAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_lastTouched.TryGetValue(id, out var last) && now - last < LastUsedResolution)
        {
            return;
        }

        _lastTouched[id] = now;
        try
        {
            await store.TouchAsync(id, now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Bookkeeping only: a busy or unreachable database must not refuse a valid key.
            GatewayLog.ApiKeyTouchFailed(logger, id, ex.Message);
        }
    }

    private static bool TryParse(string presented, out string id, out string secret)
    {
        id = secret = string.Empty;
        var rest = presented.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || separator != IdBytes * 2 || rest.Length != separator + 1 + (SecretBytes * 2))
        {
            return false;
        }

        id = rest[..separator].ToString();
        secret = rest[(separator + 1)..].ToString();
        return IsLowerHex(id) && IsLowerHex(secret);
    }

    private static bool IsLowerHex(string text) => text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));
}
