using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace McpGateway.Hosting;

/// <summary><c>mcp-gateway keys create|list|revoke</c>: API keys through <c>/api/v1/api-keys</c>.</summary>
internal sealed partial class AdminCli
{
    private Command CreateKeys() => new("keys", "Manage the API keys of a running gateway (needs an admin credential)")
    {
        _gatewayOption, _tokenOption, CreateKeyCreate(), CreateKeyList(), CreateKeyRevoke(),
    };

    private Command CreateKeyCreate()
    {
        var name = new Argument<string>("NAME") { Description = "Who or what the key is for, e.g. ci-bot" };
        var roles = new Option<string[]>("--role") { Description = "Role of the key's principal, e.g. dev, admin, admin-readonly (repeat)" };
        var tenant = new Option<string?>("--tenant") { Description = "The tenant the key's principal belongs to" };
        var expires = new Option<string?>("--expires") { Description = "Lifetime such as 90d, 12h or 30m (default: never expires)", HelpName = "DURATION" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of the key alone" };
        var create = new Command("create", "Create a key; it is printed once and cannot be shown again") { name, roles, tenant, expires, json };
        create.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
        {
            var body = new JsonObject { ["name"] = parse.GetValue(name) };
            if (parse.GetValue(roles) is { Length: > 0 } values)
            {
                body["roles"] = new JsonArray([.. values.Select(role => JsonValue.Create(role))]);
            }

            if (parse.GetValue(tenant) is { } tenantName)
            {
                body["tenant"] = tenantName;
            }

            if (parse.GetValue(expires) is { } lifetime)
            {
                body["expiresIn"] = lifetime;
            }

            var response = await client.SendAsync(HttpMethod.Post, "api/v1/api-keys", body, cancellationToken);
            if (!response.Succeeded)
            {
                return ReportFailure(response);
            }

            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(response.Json?.ToJsonString(Indented) ?? response.Text);
                return GatewayCommandLine.Ok;
            }

            // The key alone on stdout so `KEY=$(mcp-gateway keys create ci)` works; the note goes to stderr.
            await stdout.WriteLineAsync((string?)response.Json?["key"]);
            await stderr.WriteLineAsync($"created key {(string?)response.Json?["apiKey"]?["id"]} for {parse.GetValue(name)}; store it now, it is not shown again");
            return GatewayCommandLine.Ok;
        }, cancellationToken));
        return create;
    }

    private Command CreateKeyList()
    {
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table" };
        var list = new Command("list", "List keys: id, name, roles, tenant, state, expiry, last use (never the secret)") { json };
        list.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
        {
            var response = await client.GetAsync("api/v1/api-keys", cancellationToken);
            if (!response.Succeeded)
            {
                return ReportFailure(response);
            }

            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(response.Json?.ToJsonString(Indented) ?? response.Text);
                return GatewayCommandLine.Ok;
            }

            var rows = (response.Json?["apiKeys"] as JsonArray ?? []).OfType<JsonObject>().Select(KeyRow).ToList();
            if (rows.Count == 0)
            {
                await stdout.WriteLineAsync("no API keys");
                return GatewayCommandLine.Ok;
            }

            TablePrinter.Write(stdout, ["ID", "NAME", "ROLES", "TENANT", "STATE", "EXPIRES", "LAST USED"], rows);
            return GatewayCommandLine.Ok;
        }, cancellationToken));
        return list;
    }

    private Command CreateKeyRevoke()
    {
        var id = new Argument<string>("ID") { Description = "The key's id (the 16 hex digits after mgw_, as `keys list` shows)" };
        var revoke = new Command("revoke", "Revoke a key at once; requests carrying it are refused from then on") { id };
        revoke.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
        {
            var key = parse.GetValue(id)!;
            var response = await client.SendAsync(HttpMethod.Delete, $"api/v1/api-keys/{Uri.EscapeDataString(key)}", null, cancellationToken);
            if (!response.Succeeded)
            {
                return ReportFailure(response);
            }

            await stdout.WriteLineAsync($"revoked {key}");
            return GatewayCommandLine.Ok;
        }, cancellationToken));
        return revoke;
    }

    private static IReadOnlyList<string> KeyRow(JsonObject key)
    {
        var state = key["revokedAt"] is not null ? "revoked"
            : key["expiresAt"] is { } expiry && DateTimeOffset.Parse((string)expiry!, CultureInfo.InvariantCulture) <= DateTimeOffset.UtcNow ? "expired"
            : "active";
        return
        [
            (string?)key["id"] ?? "",
            (string?)key["name"] ?? "",
            string.Join(',', (key["roles"] as JsonArray ?? []).Select(role => (string?)role)),
            (string?)key["tenant"] ?? "-",
            state,
            Moment(key["expiresAt"]) ?? "never",
            Moment(key["lastUsedAt"]) ?? "never",
        ];
    }

    private static string? Moment(JsonNode? value) =>
        value is null ? null : DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
