using System.Globalization;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Admin;

/// <summary>A stored API key as the admin API shows it: never the secret, never its hash.</summary>
public sealed record ApiKeyInfo(string Id, string Name, IReadOnlyList<string> Roles, string? Tenant, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

public sealed record ApiKeyList(IReadOnlyList<ApiKeyInfo> ApiKeys);

/// <summary>The answer to <c>POST /api/v1/api-keys</c>: the one time the full key is shown.</summary>
public sealed record CreatedApiKey(string Key, ApiKeyInfo ApiKey);

/// <summary><c>/api/v1/api-keys</c>: create (the key is answered once), list, revoke.</summary>
internal static class ApiKeyEndpoints
{
    private const int MaxRoles = 32;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/api-keys", CreateAsync);
        api.MapGet("/api-keys", async (ApiKeyService keys, CancellationToken ct) =>
            TypedResults.Json(new ApiKeyList((await keys.ListAsync(ct)).Select(ToInfo).ToList()), AdminJsonContext.Default.ApiKeyList));
        api.MapDelete("/api-keys/{id}", async Task<IResult> (string id, ApiKeyService keys, CancellationToken ct) =>
            await keys.RevokeAsync(id, ct) ? TypedResults.NoContent() : AdminProblems.NotFound($"no API key with id `{id}`"));
    }

    internal static ApiKeyInfo ToInfo(ApiKeyRecord key) => new(key.Id, key.Name, key.Roles, key.Tenant, key.CreatedAt, key.ExpiresAt, key.RevokedAt, key.LastUsedAt);

    private static async Task<IResult> CreateAsync(HttpContext context, IGatewayConfigProvider config, ApiKeyService keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await AdminBody.ReadObjectAsync(context.Request, config.Current.Gateway.MaxRequestBodyBytes);
        if (body is null)
        {
            return problem!;
        }

        List<FieldError> errors = [];
        var name = Text(body, "name", errors);
        if (name is null && !errors.Any(e => e.Field == "name"))
        {
            errors.Add(new FieldError("name", "required: who or what the key is for, e.g. \"ci-bot\""));
        }
        else if (name is { Length: 0 or > 200 })
        {
            errors.Add(new FieldError("name", "must be 1 to 200 characters"));
        }

        var roles = Roles(body, errors);
        var tenant = Text(body, "tenant", errors);
        var expiresAt = Expiry(body, time.GetUtcNow(), errors);
        if (errors.Count > 0)
        {
            return AdminProblems.Invalid("the API key request is invalid", [.. errors]);
        }

        var (key, secret) = await keys.CreateAsync(name!, roles, tenant, expiresAt, cancellationToken);
        return TypedResults.Json(new CreatedApiKey(secret, ToInfo(key)), AdminJsonContext.Default.CreatedApiKey, statusCode: StatusCodes.Status201Created);
    }

    private static string? Text(JsonObject body, string field, List<FieldError> errors)
    {
        if (body[field] is not { } node)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return text;
        }

        errors.Add(new FieldError(field, "must be a string"));
        return null;
    }

    private static List<string> Roles(JsonObject body, List<FieldError> errors)
    {
        List<string> roles = [];
        if (body["roles"] is null)
        {
            return roles;
        }

        if (body["roles"] is not JsonArray array || array.Count > MaxRoles)
        {
            errors.Add(new FieldError("roles", $"must be an array of at most {MaxRoles} role names, e.g. [\"admin-readonly\"]"));
            return roles;
        }

        foreach (var item in array)
        {
            if (item is JsonValue value && value.TryGetValue<string>(out var role) && role.Length is > 0 and <= 100 && !role.Contains(',', StringComparison.Ordinal))
            {
                roles.Add(role);
            }
            else
            {
                errors.Add(new FieldError("roles", "each role must be a non-empty string of at most 100 characters without commas"));
                return roles;
            }
        }

        return roles;
    }

    private static DateTimeOffset? Expiry(JsonObject body, DateTimeOffset now, List<FieldError> errors)
    {
        var expiresIn = Text(body, "expiresIn", errors);
        var expiresAtText = Text(body, "expiresAt", errors);
        if (expiresIn is not null && expiresAtText is not null)
        {
            errors.Add(new FieldError("expiresIn", "give expiresIn or expiresAt, not both"));
            return null;
        }

        if (expiresIn is not null)
        {
            if (TryParseLifetime(expiresIn, out var lifetime) && lifetime > TimeSpan.Zero)
            {
                return now + lifetime;
            }

            errors.Add(new FieldError("expiresIn", "must be a positive duration such as 30d, 12h or 90m"));
            return null;
        }

        if (expiresAtText is not null)
        {
            if (DateTimeOffset.TryParse(expiresAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at > now)
            {
                return at.ToUniversalTime();
            }

            errors.Add(new FieldError("expiresAt", "must be a future ISO 8601 time such as 2027-01-31T00:00:00Z"));
        }

        return null;
    }

    /// <summary>A duration as the config writes it (<c>90m</c>, <c>12h</c>) or in days (<c>30d</c>).</summary>
    internal static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        text = text.Trim();
        if (text.EndsWith('d') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var days) && double.IsFinite(days) && days is > 0 and < 100_000)
        {
            lifetime = TimeSpan.FromDays(days);
            return true;
        }

        return ConfigValueParser.TryParseDuration(text, out lifetime);
    }
}
