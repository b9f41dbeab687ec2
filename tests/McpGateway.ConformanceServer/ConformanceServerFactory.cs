using System.Reflection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.ConformanceServer;

/// <summary>Builds the conformance MCP server (low-level handlers, no reflection over tool methods) for any transport.</summary>
internal sealed class ConformanceServerFactory(ConformanceResources resources, ILoggerFactory loggerFactory, IServiceProvider? services = null)
{
    public const string ServerName = "mcp-gateway-conformance-server";

    public static string ServerVersion { get; } =
        typeof(ConformanceServerFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "1.0.0";

    public ConformanceResources Resources => resources;

    /// <param name="transport">The transport of one session (or, when stateless, of one request).</param>
    /// <param name="stateless">A 2026-07-28 request without a session: no resource subscriptions (that revision
    /// replaced them with subscriptions/listen, and there is no session to key them by).</param>
    public McpServer Create(ITransport transport, bool stateless = false) =>
        McpServer.Create(transport, CreateOptions(stateless), loggerFactory, services);

    public McpServerOptions CreateOptions(bool stateless = false) => new()
    {
        ServerInfo = new Implementation { Name = ServerName, Version = ServerVersion },
        ServerInstructions = "Reference server for the MCP conformance suite (tools, resources and prompts named test_*).",
        Capabilities = new ServerCapabilities
        {
            Tools = new ToolsCapability { ListChanged = false },
            Prompts = new PromptsCapability { ListChanged = false },
            Resources = new ResourcesCapability { Subscribe = stateless ? null : true, ListChanged = false },
            Logging = new LoggingCapability(),
            Completions = new CompletionsCapability(),
        },
        Handlers = new McpServerHandlers
        {
            ListToolsHandler = ConformanceTools.ListAsync,
            CallToolHandler = ConformanceTools.CallAsync,
            ListPromptsHandler = ConformancePrompts.ListAsync,
            GetPromptHandler = ConformancePrompts.GetAsync,
            CompleteHandler = ConformancePrompts.CompleteAsync,
            ListResourcesHandler = ConformanceResources.ListAsync,
            ListResourceTemplatesHandler = ConformanceResources.ListTemplatesAsync,
            ReadResourceHandler = ConformanceResources.ReadAsync,
            SubscribeToResourcesHandler = stateless ? null : resources.SubscribeAsync,
            UnsubscribeFromResourcesHandler = stateless ? null : resources.UnsubscribeAsync,
            // The SDK records the level on the session (McpServer.LoggingLevel) before calling this.
            SetLoggingLevelHandler = static (_, _) => ValueTask.FromResult(new EmptyResult()),
        },
    };
}
