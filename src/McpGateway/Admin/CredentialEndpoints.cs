using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Security;
using McpGateway.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Admin;

/// <summary>
/// <c>GET /api/v1/credentials</c>: the caller's stored credentials (server and time, never the value) and the
/// per-principal servers it may reach.
/// </summary>
public sealed record CredentialList(string Principal, IReadOnlyList<PrincipalCredentialInfo> Credentials, IReadOnlyList<string> Servers);

/// <summary>
/// Self-service per-principal upstream credentials (<c>auth: { type: perPrincipal }</c>). Every authenticated principal
/// manages its own and only its own: the principal comes from the request's credential, never from the body or route.
/// </summary>
internal static class CredentialEndpoints
{
    public const string Path = "/credentials";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet(Path, ListAsync);
        api.MapPut(Path + "/{server}", SaveAsync);
        api.MapDelete(Path + "/{server}", DeleteAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IGatewayConfigProvider config, AccessPolicies policies, PrincipalCredentials credentials, CancellationToken cancellationToken)
    {
        var principal = GatewayPrincipalFeature.Of(context);
        var reachable = Reachable(config.Current, policies.For(principal));
        var stored = await credentials.ListAsync(principal.Id, cancellationToken);
        return TypedResults.Json(new CredentialList(principal.Id, stored.Where(c => reachable.Contains(c.Server)).ToList(), [.. reachable.Order(StringComparer.Ordinal)]),
            AdminJsonContext.Default.CredentialList);
    }

    private static async Task<IResult> SaveAsync(string server, HttpContext context, IGatewayConfigProvider config, AccessPolicies policies, PrincipalCredentials credentials, CancellationToken cancellationToken)
    {
        var principal = GatewayPrincipalFeature.Of(context);
        if (!Reachable(config.Current, policies.For(principal)).Contains(server))
        {
            return NotPerPrincipal(server);
        }

        var (body, problem) = await AdminBody.ReadObjectAsync(context.Request, config.Current.Gateway.MaxRequestBodyBytes);
        if (body is null)
        {
            return problem!;
        }

        if (Validate(body) is { } invalid)
        {
            return AdminProblems.Invalid("the credential is invalid", invalid);
        }

        await credentials.SaveAsync(server, principal.Id, (string)body["credential"]!, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DeleteAsync(string server, HttpContext context, IGatewayConfigProvider config, AccessPolicies policies, PrincipalCredentials credentials, CancellationToken cancellationToken)
    {
        var principal = GatewayPrincipalFeature.Of(context);
        if (!Reachable(config.Current, policies.For(principal)).Contains(server))
        {
            return NotPerPrincipal(server);
        }

        return await credentials.DeleteAsync(server, principal.Id, cancellationToken)
            ? TypedResults.NoContent()
            : AdminProblems.NotFound($"you have no credential stored for server `{server}`");
    }

    /// <summary>Unknown, not per-principal and not permitted all read the same, so the answer does not reveal which.</summary>
    private static IResult NotPerPrincipal(string server) =>
        AdminProblems.NotFound($"no server `{server}` that takes per-principal credentials (auth: {{ type: perPrincipal }}) is available to you");

    private static FieldError? Validate(JsonObject body)
    {
        foreach (var (key, _) in body)
        {
            if (key != "credential")
            {
                return new FieldError(key, "unknown field; the body is {\"credential\": \"...\"}");
            }
        }

        if (body["credential"] is not JsonValue value || !value.TryGetValue(out string? credential) || credential.Length == 0)
        {
            return new FieldError("credential", "required: a non-empty string, e.g. {\"credential\": \"ghp_...\"}");
        }

        if (credential.Length > PrincipalCredentials.MaxCredentialLength)
        {
            return new FieldError("credential", $"must be at most {PrincipalCredentials.MaxCredentialLength} characters");
        }

        // It becomes a header value or an environment variable: control characters would split or corrupt either.
        return credential.Any(char.IsControl)
            ? new FieldError("credential", "must not contain control characters (line breaks, tabs, NUL)")
            : null;
    }

    /// <summary>
    /// Per-principal servers the principal may reach: enabled, and with authorization on, granted directly or a member of a
    /// virtual server it may use.
    /// </summary>
    private static HashSet<string> Reachable(GatewayConfig config, PrincipalAccess? access)
    {
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in config.Servers)
        {
            if (server is { Enabled: true, PrincipalAuth: not null } && (access is null || access.CanUseServer(server.Name)))
            {
                reachable.Add(server.Name);
            }
        }

        if (access is not null)
        {
            IEnumerable<VirtualServerConfig> views = [.. config.VirtualServers, new VirtualServerConfig { Name = ViewTarget.DefaultName }];
            foreach (var view in views.Where(access.CanUseView))
            {
                reachable.UnionWith(config.MembersOf(view).Where(m => m is { Enabled: true, PrincipalAuth: not null }).Select(m => m.Name));
            }
        }

        return reachable;
    }
}
