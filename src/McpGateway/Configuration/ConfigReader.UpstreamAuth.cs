using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>A remote server's <c>auth:</c> (OAuth 2.0 client credentials).</summary>
internal sealed partial class ConfigReader
{
    private const string UpstreamAuthExample = "`{ type: clientCredentials, tokenUrl: https://auth.example.com/oauth/token, clientId: gateway, clientSecret: \"${CLIENT_SECRET}\" }`";

    private static readonly string[] UpstreamAuthKeys = ["type", "tokenUrl", "clientId", "clientSecret", "scope", "audience", "tokenEndpointAuthMethod"];

    private ClientCredentialsAuth? ReadUpstreamAuth(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {UpstreamAuthExample}, not a {KindOf(node)}");
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
                        Error(entryPath, value, $"`{Raw(value)}` is not supported; write `clientCredentials` (for a static token, use `headers: {{ Authorization: \"Bearer ${{TOKEN}}\" }}`)");
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
