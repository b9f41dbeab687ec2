using McpGateway.Configuration;

namespace McpGateway.Sessions;

/// <summary>What a client session talks to: one upstream server (passthrough) or a virtual server (aggregation).</summary>
internal abstract record SessionTarget
{
    /// <summary>Sessions are found by id and route together, so an id from one endpoint means nothing on another.</summary>
    public abstract string RouteKey { get; }

    /// <summary>The endpoint path prefix (for the legacy SSE endpoint event).</summary>
    public abstract string BasePath { get; }

    public abstract string DisplayName { get; }
}

internal sealed record ServerTarget(ServerConfig Server) : SessionTarget
{
    private readonly string _routeKey = "server:" + Server.Name;

    public override string RouteKey => _routeKey;

    public override string BasePath => "/servers/" + Uri.EscapeDataString(Server.Name);

    public override string DisplayName => Server.Name;
}

/// <param name="IsDefault">The implicit view at <c>/mcp</c> of every enabled server.</param>
internal sealed record ViewTarget(VirtualServerConfig View, IReadOnlyList<ServerConfig> Members, bool IsDefault) : SessionTarget
{
    /// <summary>The name of the implicit view at <c>/mcp</c>.</summary>
    public const string DefaultName = "default";

    private readonly string _routeKey = IsDefault ? "view" : "virtual:" + View.Name;

    public override string RouteKey => _routeKey;

    public override string BasePath => IsDefault ? string.Empty : "/virtual/" + Uri.EscapeDataString(View.Name);

    public override string DisplayName => IsDefault ? "/mcp" : View.Name;

    /// <summary>The view's members as of one config snapshot: the listed servers (or all), enabled ones only.</summary>
    public static ViewTarget For(GatewayConfig config, VirtualServerConfig view, bool isDefault) =>
        new(view, config.MembersOf(view), isDefault) { Guardrails = config.Gateway.Guardrails };

    /// <summary>The guardrails of the same snapshot: a reload that blocks a tool reaches open view sessions with their new target.</summary>
    public GuardrailOptions Guardrails { get; init; } = GuardrailOptions.Default;
}
