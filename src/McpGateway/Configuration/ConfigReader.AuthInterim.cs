using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>
/// The <c>auth:</c> section until the authentication pipeline's reader lands: it reads only <c>resource</c> and
/// <c>jwt</c>. When merging, call <see cref="ReadAuthResourceAndJwt"/> from that reader and delete this file.
/// </summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] AuthKeys = ["resource", "jwt"];

    private AuthOptions ReadAuth(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return new AuthOptions();
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ resource: https://gw.example.com, jwt: {{ issuer: ..., jwksUrl: ... }} }}`, not a {KindOf(node)}");
            return new AuthOptions();
        }

        foreach (var (key, keyNode, _) in Entries(map, path))
        {
            if (!AuthKeys.Contains(key))
            {
                UnknownKey(Join(path, key), keyNode, AuthKeys);
            }
        }

        return ReadAuthResourceAndJwt(map, path, new AuthOptions());
    }
}
