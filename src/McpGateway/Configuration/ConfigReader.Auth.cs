using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary><c>auth:</c> how callers prove who they are. <c>auth.jwt</c> is read by <see cref="ReadJwt"/> in its own partial file.</summary>
internal sealed partial class ConfigReader
{
    private const string AuthKey = "auth";

    private const string AuthExample = "`{ required: true, apiKeys: true }`";

    /// <summary>Keys of <c>auth:</c>; a method added in another partial file adds its key here and a case below.</summary>
    private static readonly string[] AuthKeys = ["required", "apiKeys", "jwt"];

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
                case "jwt":
                    // JWT hook: implemented by the JWT authenticator's partial file (ConfigReader.Jwt.cs); without it, the key is ignored with a warning.
                    var handled = false;
                    ReadJwt(value, keyPath, ref options, ref handled);
                    if (!handled)
                    {
                        Warning(keyPath, keyNode, "is not supported by this build of mcp-gateway and is ignored");
                    }

                    break;
                default:
                    UnknownKey(keyPath, keyNode, AuthKeys);
                    break;
            }
        }

        return options;
    }

    /// <summary>Reads <c>auth.jwt</c> into <paramref name="options"/> and sets <paramref name="handled"/>; implemented where JWT lives.</summary>
    partial void ReadJwt(YamlNode node, string path, ref AuthOptions options, ref bool handled);
}
