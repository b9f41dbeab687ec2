using System.Text;
using System.Text.Json.Nodes;

namespace McpGateway.Configuration;

/// <summary>
/// What a reload changes between two snapshots, in the terms the running gateway acts on: which servers come and go,
/// which need new upstream connections, which only filter differently, which views' clients must hear
/// <c>list_changed</c>, and which settings wait for a restart.
/// </summary>
/// <param name="AddedServers">Servers that are new or were disabled and are now enabled.</param>
/// <param name="RemovedServers">Servers that are gone or now disabled: their sessions close and they leave every view.</param>
/// <param name="ReconnectedServers">Servers whose connection settings (command, args, env, cwd, url, headers, transport,
/// timeouts, session mode, restart backoff) changed: their upstream links are replaced.</param>
/// <param name="RefilteredServers">Servers where only other settings (filters, description) changed: no reconnect.</param>
/// <param name="ChangedViews">Views whose clients see a different catalog (by display name: <c>/mcp</c> for the default view).</param>
/// <param name="RestartRequired">Settings (key paths) that changed but only take effect at the next start.</param>
public sealed record ConfigChange(
    IReadOnlyList<string> AddedServers,
    IReadOnlyList<string> RemovedServers,
    IReadOnlyList<string> ReconnectedServers,
    IReadOnlyList<string> RefilteredServers,
    IReadOnlyList<string> ChangedViews,
    IReadOnlyList<string> RestartRequired)
{
    /// <summary>The display name of the implicit view of every enabled server in <see cref="ChangedViews"/>.</summary>
    public const string DefaultViewName = "/mcp";

    public bool IsEmpty => AddedServers.Count == 0 && RemovedServers.Count == 0 && ReconnectedServers.Count == 0
        && RefilteredServers.Count == 0 && ChangedViews.Count == 0 && RestartRequired.Count == 0;

    /// <summary>One line for the log and the admin API, e.g. <c>servers added: a; removed: b; views changed: /mcp</c>.</summary>
    public string Summary
    {
        get
        {
            if (IsEmpty)
            {
                return "no effective change";
            }

            var text = new StringBuilder();
            Append(text, "servers added", AddedServers);
            Append(text, "servers removed", RemovedServers);
            Append(text, "servers reconnected", ReconnectedServers);
            Append(text, "servers refiltered", RefilteredServers);
            Append(text, "views changed", ChangedViews);
            Append(text, "needs restart", RestartRequired);
            return text.ToString();
        }
    }

    public static ConfigChange Between(GatewayConfig previous, GatewayConfig next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        List<string> added = [], removed = [], reconnected = [], refiltered = [];
        foreach (var server in next.Servers.Where(s => s.Enabled))
        {
            if (previous.FindServer(server.Name) is not { Enabled: true } before)
            {
                added.Add(server.Name);
            }
            else if (!SameConnection(before, previous.Gateway, server, next.Gateway))
            {
                reconnected.Add(server.Name);
            }
            else if (!SameFilters(before, server))
            {
                refiltered.Add(server.Name);
            }
        }

        foreach (var server in previous.Servers.Where(s => s.Enabled))
        {
            if (next.FindServer(server.Name) is not { Enabled: true })
            {
                removed.Add(server.Name);
            }
        }

        var affected = new HashSet<string>([.. added, .. removed, .. reconnected, .. refiltered], StringComparer.Ordinal);
        List<string> views = [];

        // Blocked tools leave every view's list: each view's catalog may differ.
        var blockedChanged = !previous.Gateway.Guardrails.BlockedTools.Equals(next.Gateway.Guardrails.BlockedTools);
        var defaultView = new VirtualServerConfig { Name = DefaultViewName };
        if (blockedChanged || MembersDiffer(previous, defaultView, next, defaultView, affected))
        {
            views.Add(DefaultViewName);
        }

        foreach (var view in next.VirtualServers)
        {
            if (blockedChanged || previous.FindVirtualServer(view.Name) is not { } before || !SameView(before, view) || MembersDiffer(previous, before, next, view, affected))
            {
                views.Add(view.Name);
            }
        }

        views.AddRange(previous.VirtualServers.Where(v => next.FindVirtualServer(v.Name) is null).Select(v => v.Name));
        return new ConfigChange(added, removed, reconnected, refiltered, views, RestartRequiredSettings(previous, next));
    }

    /// <summary>Settings read once at start-up: listening sockets, logging providers, telemetry exporters.</summary>
    public static IReadOnlyList<string> RestartRequiredSettings(GatewayConfig previous, GatewayConfig next)
    {
        List<string> settings = [];
        if (previous.Gateway.Listen != next.Gateway.Listen)
        {
            settings.Add("gateway.listen");
        }

        if (previous.Gateway.AllowAnonymous != next.Gateway.AllowAnonymous)
        {
            settings.Add("gateway.allowAnonymous");
        }

        if (previous.Gateway.LogFormat != next.Gateway.LogFormat)
        {
            settings.Add("gateway.logFormat");
        }

        if (previous.Gateway.LogLevel != next.Gateway.LogLevel)
        {
            settings.Add("gateway.logLevel");
        }

        if (!SameObservability(previous.Observability, next.Observability))
        {
            settings.Add("observability");
        }

        // The store is opened (and migrated) once at start-up; records compare by value (provider, path, connection string).
        if (previous.Storage != next.Storage)
        {
            settings.Add("storage");
        }

        return settings;
    }

    /// <summary>Everything an upstream link is built from; the effective timeouts include the gateway defaults.</summary>
    internal static bool SameConnection(ServerConfig a, GatewayOptions aGateway, ServerConfig b, GatewayOptions bGateway) =>
        a.Transport == b.Transport
        && a.Command == b.Command
        && a.Args.SequenceEqual(b.Args, StringComparer.Ordinal)
        && SameMap(a.Env, b.Env)
        && a.Cwd == b.Cwd
        && a.Url == b.Url
        && SameMap(a.Headers, b.Headers)
        && a.Auth == b.Auth
        && a.Traffic.Endpoints.SequenceEqual(b.Traffic.Endpoints)
        && a.Traffic.Strategy == b.Traffic.Strategy
        && a.Replicas == b.Replicas
        && a.PrincipalAuth == b.PrincipalAuth
        && (a.RequestTimeout ?? aGateway.RequestTimeout) == (b.RequestTimeout ?? bGateway.RequestTimeout)
        && (a.ConnectTimeout ?? aGateway.ConnectTimeout) == (b.ConnectTimeout ?? bGateway.ConnectTimeout)
        && a.Sessions == b.Sessions
        && a.RestartInitialBackoff == b.RestartInitialBackoff
        && a.RestartMaxBackoff == b.RestartMaxBackoff;

    private static bool SameFilters(ServerConfig a, ServerConfig b) =>
        a.Tools == b.Tools && a.Prompts == b.Prompts && a.Resources == b.Resources && a.Description == b.Description;

    private static bool SameView(VirtualServerConfig a, VirtualServerConfig b) =>
        a.Description == b.Description
        && a.Servers.SequenceEqual(b.Servers, StringComparer.Ordinal)
        && a.Tools == b.Tools && a.Prompts == b.Prompts && a.Resources == b.Resources
        && a.Naming == b.Naming && a.OnUpstreamFailure == b.OnUpstreamFailure && a.ResourceConflicts == b.ResourceConflicts
        && a.PageSize == b.PageSize
        && a.Overrides.Count == b.Overrides.Count
        && a.Overrides.All(o => b.Overrides.TryGetValue(o.Key, out var other) && SameOverride(o.Value, other));

    private static bool SameOverride(ItemOverride a, ItemOverride b) =>
        a.Name == b.Name && a.Title == b.Title && a.Description == b.Description && a.Hidden == b.Hidden
        && JsonNode.DeepEquals(a.Annotations, b.Annotations);

    private static bool MembersDiffer(GatewayConfig previous, VirtualServerConfig before, GatewayConfig next, VirtualServerConfig after, HashSet<string> affected)
    {
        var was = previous.MembersOf(before).Select(s => s.Name).ToList();
        var now = next.MembersOf(after).Select(s => s.Name).ToList();
        return !was.SequenceEqual(now, StringComparer.Ordinal) || now.Any(affected.Contains);
    }

    private static bool SameObservability(ObservabilityOptions a, ObservabilityOptions b) =>
        a.ServiceName == b.ServiceName && a.TraceSampleRatio.Equals(b.TraceSampleRatio) && (a.Otlp, b.Otlp) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.Endpoint == y.Endpoint && x.Protocol == y.Protocol && SameMap(x.Headers, y.Headers)
                && x.Traces == y.Traces && x.Metrics == y.Metrics && x.ExportInterval == y.ExportInterval,
            _ => false,
        };

    private static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static void Append(StringBuilder text, string label, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append("; ");
        }

        text.Append(label).Append(": ").AppendJoin(", ", names);
    }
}
