using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary><c>auth:</c> how callers prove who they are. <c>resource</c> and <c>jwt</c> are read in ConfigReader.Jwt.cs.</summary>
internal sealed partial class ConfigReader
{
    private const string AuthKey = "auth";

    private const string AuthExample = "`{ required: true, apiKeys: true }`";

    /// <summary>Keys of <c>auth:</c>; a method added in another partial file adds its key here and a case below.</summary>
    private static readonly string[] AuthKeys = ["required", "apiKeys", "resource", "jwt", "certificates"];

    private AuthOptions ReadAuth(YamlNode? node, string path)
    {
        var options = new AuthOptions();
        if (node is null || IsNull(node))
        {
            return options;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {AuthExample}, not a {KindOf(node)}");
            return options;
        }

        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            switch (key)
            {
                case "required":
                    options = ReadBoolean(value, keyPath) is { } required ? options with { Required = required } : options;
                    break;
                case "apiKeys":
                    options = ReadBoolean(value, keyPath) is { } apiKeys ? options with { ApiKeys = apiKeys } : options;
                    break;
                case "certificates":
                    options = ReadCertificatePrincipals(value, keyPath) is { } certificates ? options with { Certificates = certificates } : options;
                    break;
                case "resource" or "jwt":
                    // Read together after the loop: the JWT audience defaults to the resource.
                    break;
                default:
                    UnknownKey(keyPath, keyNode, AuthKeys);
                    break;
            }
        }

        return ReadAuthResourceAndJwt(map, path, options);
    }
}
