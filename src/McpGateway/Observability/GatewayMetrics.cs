using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Protocol;

namespace McpGateway.Observability;

/// <summary>
/// Every instrument the gateway records, on one <see cref="Meter"/> per app (made by the host's <see cref="IMeterFactory"/>,
/// so gateways in one process keep their numbers apart). Instrument names are the Prometheus base names. Every label
/// value is bounded: configured names, a fixed method list, a fixed outcome list, and tool names the server listed.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>Distinct tool labels kept per server; beyond this a server's further tools count as "other".</summary>
    public const int MaxToolLabelsPerServer = 1000;

    public const string Other = "other";

    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly long[] SizeBuckets = [128, 512, 2048, 8192, 32768, 131072, 524288, 2097152, 8388608, 16777216];

    private readonly IGatewayConfigProvider _config;
    private readonly ICircuitStateSource _circuits;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<long> _requestSize;
    private readonly Counter<long> _toolCalls;
    private readonly Histogram<double> _serverLatency;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _authFailures;
    private readonly UpDownCounter<long> _sessionsActive;
    private readonly Counter<long> _upstreamRestarts;
    private readonly Counter<long> _auditRecords;
    private readonly Counter<long> _auditDropped;
    private readonly Counter<long> _cacheLookups;

    // Last reported state per server (1 up, 0 down); only servers the gateway has tried to reach appear.
    private readonly ConcurrentDictionary<string, int> _serverUp = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _knownTools = new(StringComparer.Ordinal);

    public GatewayMetrics(IMeterFactory meterFactory, IGatewayConfigProvider config, ICircuitStateSource circuits)
    {
        _config = config;
        _circuits = circuits;
        var meter = meterFactory.Create(GatewayTelemetry.MeterName);
        _requests = meter.CreateCounter<long>("mcp_gateway_requests", description: "MCP requests handled, by view, server, method and outcome");
        _requestDuration = meter.CreateHistogram("mcp_gateway_request_duration_seconds", "s", "Time from receiving an MCP request to having its answer",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _requestSize = meter.CreateHistogram("mcp_gateway_request_size_bytes", "By", "Size of MCP request bodies",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        _toolCalls = meter.CreateCounter<long>("mcp_gateway_tool_calls", description: "tools/call requests by server, tool and outcome");
        meter.CreateObservableGauge("mcp_server_up", ObserveServerUp, description: "1 when the gateway's last contact with the server succeeded, 0 when it failed or the connection was lost");
        _serverLatency = meter.CreateHistogram("mcp_server_latency_seconds", "s", "Upstream round trip of one request as seen by the gateway",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _rateLimited = meter.CreateCounter<long>("mcp_gateway_rate_limited", description: "Requests refused by a rate limit");
        _authFailures = meter.CreateCounter<long>("mcp_gateway_auth_failures", description: "Requests refused because authentication or authorization failed");
        _sessionsActive = meter.CreateUpDownCounter<long>("mcp_gateway_sessions_active", description: "Open client sessions by kind of target");
        _upstreamRestarts = meter.CreateCounter<long>("mcp_gateway_upstream_restarts", description: "Upstream connections lost and scheduled for restart");
        _auditRecords = meter.CreateCounter<long>("mcp_gateway_audit_records", description: "Audit records made, by kind and outcome");
        _cacheLookups = meter.CreateCounter<long>("mcp_gateway_cache_lookups", description: "Response cache lookups by server, kind (lists, resources, tools) and result (hit, miss)");
        _auditDropped = meter.CreateCounter<long>("mcp_gateway_audit_dropped", description: "Audit records lost: queue full or database unreachable");
        meter.CreateObservableGauge("mcp_gateway_circuit_state", ObserveCircuits, description: "Circuit breaker state per server: 0 closed, 1 half-open, 2 open");
    }

    public bool RequestsEnabled => _requests.Enabled || _requestDuration.Enabled || _requestSize.Enabled || _toolCalls.Enabled;

    public void RecordRequest(string view, string server, string method, string outcome, double seconds)
    {
        if (!_requests.Enabled && !_requestDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "view", view },
            { "server", server },
            { "method", method },
            { "outcome", outcome },
        };
        _requests.Add(1, tags);
        _requestDuration.Record(seconds, tags);
    }

    public void RecordRequestSize(string view, string server, string method, long bytes)
    {
        if (_requestSize.Enabled && bytes >= 0)
        {
            _requestSize.Record(bytes, new TagList { { "view", view }, { "server", server }, { "method", method } });
        }
    }

    public void RecordToolCall(string server, string tool, string outcome)
    {
        if (_toolCalls.Enabled)
        {
            _toolCalls.Add(1, new TagList { { "server", server }, { "tool", tool }, { "outcome", outcome } });
        }
    }

    public void RecordServerLatency(string server, string method, double seconds)
    {
        if (_serverLatency.Enabled)
        {
            _serverLatency.Record(seconds, new TagList { { "server", server }, { "method", MethodLabel(method) } });
        }
    }

    /// <summary>For the rate limiter (#7); <paramref name="reason"/> must come from a fixed set.</summary>
    public void RecordCache(string server, string kind, bool hit)
    {
        if (_cacheLookups.Enabled)
        {
            _cacheLookups.Add(1, new TagList { { "server", server }, { "kind", kind }, { "result", hit ? "hit" : "miss" } });
        }
    }

    public void RecordRateLimited(string view, string server, string reason)
    {
        if (_rateLimited.Enabled)
        {
            _rateLimited.Add(1, new TagList { { "view", view }, { "server", server }, { "reason", reason } });
        }
    }

    /// <summary>For authentication (#6); <paramref name="reason"/> must come from a fixed set.</summary>
    public void RecordAuthFailure(string reason)
    {
        if (_authFailures.Enabled)
        {
            _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void RecordAudit(string kind, string outcome)
    {
        if (_auditRecords.Enabled)
        {
            _auditRecords.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void RecordAuditDropped(int count = 1) => _auditDropped.Add(count);

    /// <param name="target">"server", "virtual" or "default".</param>
    public void SessionOpened(string target) => _sessionsActive.Add(1, new KeyValuePair<string, object?>("target", target));

    public void SessionClosed(string target) => _sessionsActive.Add(-1, new KeyValuePair<string, object?>("target", target));

    public void UpstreamRestarting(string server) => _upstreamRestarts.Add(1, new KeyValuePair<string, object?>("server", server));

    public void ServerReachable(string server) => _serverUp[server] = 1;

    public void ServerUnreachable(string server) => _serverUp[server] = 0;

    /// <summary>Remembers the tool names a server listed, so that calls to them get their own label.</summary>
    public void LearnTools(string server, JsonArray tools)
    {
        var known = _knownTools.GetOrAdd(server, _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal));
        foreach (var tool in tools)
        {
            if (known.Count >= MaxToolLabelsPerServer)
            {
                return;
            }

            if (tool?["name"] is JsonValue value && value.TryGetValue(out string? name))
            {
                known.TryAdd(name, name);
            }
        }
    }

    /// <summary>The tool label: the name if the server listed it, else "other" (a client can send any name).</summary>
    public string ToolLabel(string server, string? tool) =>
        tool is not null && _knownTools.TryGetValue(server, out var known) && known.TryGetValue(tool, out var label) ? label : Other;

    /// <summary>The tool label of a tools/call's params.</summary>
    public string ToolLabel(string server, JsonNode? parameters) =>
        ToolLabel(server, McpParams.String(parameters, "name"));

    /// <summary>A known MCP method as a cached literal, else "other": clients choose method names, labels must stay bounded.</summary>
    public static string MethodLabel(string method) => method switch
    {
        "initialize" => "initialize",
        "ping" => "ping",
        "server/discover" => "server/discover",
        "tools/list" => "tools/list",
        "tools/call" => "tools/call",
        "prompts/list" => "prompts/list",
        "prompts/get" => "prompts/get",
        "resources/list" => "resources/list",
        "resources/templates/list" => "resources/templates/list",
        "resources/read" => "resources/read",
        "resources/subscribe" => "resources/subscribe",
        "resources/unsubscribe" => "resources/unsubscribe",
        "completion/complete" => "completion/complete",
        "logging/setLevel" => "logging/setLevel",
        "tasks/get" => "tasks/get",
        "tasks/list" => "tasks/list",
        "tasks/result" => "tasks/result",
        "tasks/cancel" => "tasks/cancel",
        _ => Other,
    };

    private IEnumerable<Measurement<int>> ObserveServerUp()
    {
        var measurements = new List<Measurement<int>>();
        foreach (var server in _config.Current.Servers)
        {
            if (server.Enabled && _serverUp.TryGetValue(server.Name, out var up))
            {
                measurements.Add(new Measurement<int>(up, new KeyValuePair<string, object?>("server", server.Name)));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<int>> ObserveCircuits()
    {
        var measurements = new List<Measurement<int>>();
        foreach (var (server, state) in _circuits.CircuitStates())
        {
            measurements.Add(new Measurement<int>((int)state, new KeyValuePair<string, object?>("server", server)));
        }

        return measurements;
    }
}
