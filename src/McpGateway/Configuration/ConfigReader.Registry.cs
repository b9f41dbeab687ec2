using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary>
    /// Adds stored entries to a config read from the file, with the file's gateway settings (separator, health defaults)
    /// and the same validation as file entries. Stored views may name file servers and stored servers; a stored entry
    /// whose name the file also uses is an error (the file's entry wins). Diagnostics use the paths
    /// <c>mcpServers.{name}...</c> and <c>virtualServers.{name}...</c>.
    /// </summary>
    public GatewayConfig ReadRegistered(GatewayConfig fileConfig, YamlMappingNode servers, YamlMappingNode views)
    {
        _separator = fileConfig.Gateway.ToolNameSeparator;
        _healthDefaults = fileConfig.Gateway.Health;
        _declaredServers.AddRange(fileConfig.Servers.Select(server => server.Name));

        var added = ReadServers(servers, McpServersKey);
        foreach (var (key, value) in servers.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && fileConfig.FindServer(name) is not null)
            {
                Error(Join(McpServersKey, name), key, $"a server named `{name}` is defined in the config file ({fileConfig.Source}); the file's entry wins. Register this one under another name, or edit the file");
            }
        }

        var config = fileConfig with
        {
            Servers = [.. fileConfig.Servers, .. added.Select(server => server with { Origin = EntryOrigin.Registry })],
        };
        var addedViews = ReadVirtualServers(views, VirtualServersKey, config);
        foreach (var (key, _) in views.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && fileConfig.FindVirtualServer(name) is not null)
            {
                Error(Join(VirtualServersKey, name), key, $"a virtual server named `{name}` is defined in the config file ({fileConfig.Source}); the file's entry wins. Register this one under another name, or edit the file");
            }
        }

        return config with
        {
            VirtualServers = [.. fileConfig.VirtualServers, .. addedViews.Select(view => view with { Origin = EntryOrigin.Registry })],
        };
    }
}
