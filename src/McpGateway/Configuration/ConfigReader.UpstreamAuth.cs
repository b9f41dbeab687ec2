using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>A server's <c>auth:</c>: OAuth 2.0 client credentials (remote), or each principal's own credential.</summary>
internal sealed partial class ConfigReader
{
    private const string UpstreamAuthExample = "`{ type: clientCredentials, tokenUrl: https://auth.example.com/oauth/token, clientId: gateway, clientSecret: \"${CLIENT_SECRET}\" }`";

    private static readonly string[] UpstreamAuthKeys = ["type", "tokenUrl", "clientId", "clientSecret", "scope", "audience", "tokenEndpointAuthMethod"];

    private const string PrincipalAuthExample = "`{ type: perPrincipal, header: Authorization, format: \"Bearer {credential}\" }` (remote) or `{ type: perPrincipal, env: GITHUB_TOKEN }` (stdio)";

    private static readonly string[] PrincipalAuthKeys = ["type", "header", "env", "format"];

    private static bool IsPerPrincipal(YamlNode node) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("type"), out var type)
        && type is YamlScalarNode { Value: { } value } && (string.Equals(value, "perPrincipal", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "per_principal", StringComparison.OrdinalIgnoreCase));

    /// <summary><c>auth: { type: perPrincipal }</c>; <paramref name="isRemote"/> decides between a header and an environment variable.</summary>
    private PrincipalCredentialAuth? ReadPrincipalAuth(YamlMappingNode map, string path, bool isRemote)
    {
        var errorCount = errors.Count;
        string? header = null, env = null, format = null;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var entryPath = Join(path, key);
            if (IsNull(value))
            {
                continue;
            }

            switch (key)
            {
                case "type":
                    break;
                case "header":
                    header = ReadNonEmptyString(value, entryPath, "Authorization");
                    if (header is not null && !isRemote)
                    {
                        Error(entryPath, value, "a stdio server takes its credential from an environment variable; write `env: VARIABLE` instead of `header`");
                    }
                    else if (header is not null && !IsHeaderName(header))
                    {
                        Error(entryPath, value, $"`{header}` is not a valid HTTP header name; use letters, digits and -, e.g. Authorization");
                    }

                    break;
                case "env":
                    env = ReadNonEmptyString(value, entryPath, "GITHUB_TOKEN");
                    if (env is not null && isRemote)
                    {
                        Error(entryPath, value, "a remote (`url`) server takes its credential in an HTTP header; write `header: Authorization` instead of `env`");
                    }

                    break;
                case "format":
                    format = ReadNonEmptyString(value, entryPath, "\"Bearer {credential}\"");
                    if (format is not null && !format.Contains(PrincipalCredentialAuth.Placeholder, StringComparison.Ordinal))
                    {
                        Error(entryPath, value, $"must contain `{PrincipalCredentialAuth.Placeholder}` where the stored credential goes, e.g. \"Bearer {PrincipalCredentialAuth.Placeholder}\"");
                    }

                    break;
                default:
                    UnknownKey(entryPath, keyNode, PrincipalAuthKeys);
                    break;
            }
        }

        if (!isRemote && env is null && errors.Count == errorCount)
        {
            Error(path, map, $"`env` is required for a stdio server: the variable that carries each principal's credential; write e.g. {PrincipalAuthExample}");
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        header = isRemote ? header ?? "Authorization" : null;
        var isAuthorization = string.Equals(header, "Authorization", StringComparison.OrdinalIgnoreCase);
        return new PrincipalCredentialAuth
        {
            Header = header,
            Env = env,
            Format = format ?? (isAuthorization ? "Bearer " + PrincipalCredentialAuth.Placeholder : PrincipalCredentialAuth.Placeholder),
        };
    }

    private ClientCredentialsAuth? ReadUpstreamAuth(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {UpstreamAuthExample} or {PrincipalAuthExample}, not a {KindOf(node)}");
            return null;
        }

        var errorCount = errors.Count;
        string? type = null, clientId = null, clientSecret = null, scope = null, audience = null;
        Uri? tokenUrl = null;
        var method = ClientAuthenticationMethod.ClientSecretBasic;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var entryPath = Join(path, key);
            if (IsNull(value))
            {
                continue;
            }

            switch (key)
            {
                case "type":
                    type = Text(value, entryPath, "clientCredentials");
                    if (type is not null && !string.Equals(type, "clientCredentials", StringComparison.OrdinalIgnoreCase) && !string.Equals(type, "client_credentials", StringComparison.OrdinalIgnoreCase))
                    {
                        Error(entryPath, value, $"`{Raw(value)}` is not supported; write `clientCredentials` or `perPrincipal` (for a static token, use `headers: {{ Authorization: \"Bearer ${{TOKEN}}\" }}`)");
                    }

                    break;
                case "tokenUrl":
                    tokenUrl = ReadUrl(value, entryPath);
                    break;
                case "clientId":
                    clientId = ReadNonEmptyString(value, entryPath, "the client id");
                    break;
                case "clientSecret":
                    clientSecret = ReadNonEmptyString(value, entryPath, "\"${CLIENT_SECRET}\"");
                    break;
                case "scope":
                    scope = ReadNonEmptyString(value, entryPath, "the space-separated scopes");
                    break;
                case "audience":
                    audience = ReadNonEmptyString(value, entryPath, "the API's identifier");
                    break;
                case "tokenEndpointAuthMethod":
                    var text = Text(value, entryPath, "client_secret_basic or client_secret_post");
                    if (text == "client_secret_post")
                    {
                        method = ClientAuthenticationMethod.ClientSecretPost;
                    }
                    else if (text is not null && text != "client_secret_basic")
                    {
                        Error(entryPath, value, $"`{Raw(value)}` is not supported; write client_secret_basic (default) or client_secret_post");
                    }

                    break;
                default:
                    UnknownKey(entryPath, keyNode, UpstreamAuthKeys);
                    break;
            }
        }

        foreach (var (missing, what) in (IEnumerable<(bool, string)>)[(type is null, "type"), (tokenUrl is null, "tokenUrl"), (clientId is null, "clientId"), (clientSecret is null, "clientSecret")])
        {
            if (missing && errors.Count == errorCount)
            {
                Error(path, map, $"`{what}` is required; write e.g. {UpstreamAuthExample}");
            }
        }

        return errors.Count > errorCount
            ? null
            : new ClientCredentialsAuth { TokenUrl = tokenUrl!, ClientId = clientId!, ClientSecret = clientSecret!, Scope = scope, Audience = audience, Method = method };
    }
}
