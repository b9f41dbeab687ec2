using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Observability;
using McpGateway.Protocol;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using CircuitState = McpGateway.Observability.CircuitState;

namespace McpGateway.Upstreams;

/// <summary>
/// The traffic state of every server, shared by all of its links (every client session, the stateless pool): the
/// concurrency gate, the retry and circuit-breaker pipeline, and which tools are safe to retry. Kept while a server's
/// <see cref="ServerTrafficOptions"/> stay equal, so a reload that changes something else does not reset a breaker.
/// </summary>
internal sealed class UpstreamTraffic(TimeProvider time, ILoggerFactory loggerFactory) : ICircuitStateSource
{
    private readonly ConcurrentDictionary<string, ServerTraffic> _servers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger("McpGateway.Upstreams.Traffic");

    public ServerTraffic For(ServerConfig server)
    {
        var current = _servers.GetValueOrDefault(server.Name);
        if (current is not null && current.Options.Equals(server.Traffic))
        {
            return current;
        }

        var next = new ServerTraffic(server.Name, server.Traffic, time, _logger);
        return _servers.AddOrUpdate(server.Name, next, (_, existing) => existing.Options.Equals(server.Traffic) ? existing : next);
    }

    /// <summary>The breaker state of a server that has one and has been used; null otherwise.</summary>
    public CircuitState? StateOf(string server) => _servers.GetValueOrDefault(server)?.State;

    public IEnumerable<KeyValuePair<string, CircuitState>> CircuitStates()
    {
        foreach (var (name, traffic) in _servers)
        {
            if (traffic.State is { } state)
            {
                yield return new(name, state);
            }
        }
    }
}

/// <summary>One server's traffic policy at run time.</summary>
internal sealed class ServerTraffic
{
    private static readonly ResiliencePropertyKey<bool> SafeToRetry = new("mcp-gateway.safe-to-retry");

    private static readonly HashSet<string> SafeMethods = new(StringComparer.Ordinal)
    {
        McpMethods.ToolsList, McpMethods.PromptsList, McpMethods.ResourcesList, McpMethods.ResourceTemplatesList,
        McpMethods.ResourcesRead, McpMethods.PromptsGet, McpMethods.Ping, McpMethods.CompletionComplete,
    };

    private readonly string _server;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim? _slots;
    private readonly CircuitBreakerStateProvider? _breakerState;
    private readonly ResiliencePipeline<JsonRpcMessage> _pipeline;
    private readonly ConcurrentDictionary<string, bool> _retryableTools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _readOnlyTools = new(StringComparer.Ordinal);
    private int _waiting;

    public ServerTraffic(string server, ServerTrafficOptions options, TimeProvider time, ILogger logger)
    {
        _server = server;
        _logger = logger;
        Options = options;
        _slots = options.MaxConcurrency is { } max ? new SemaphoreSlim(max, max) : null;
        Balancer = options.Endpoints.Count > 1 ? new EndpointBalancer(server, options.Endpoints, options.Strategy, time, logger) : null;
        var builder = new ResiliencePipelineBuilder<JsonRpcMessage> { TimeProvider = time, Name = server };
        if (options.Retries.Attempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<JsonRpcMessage>
            {
                MaxRetryAttempts = options.Retries.Attempts,
                Delay = options.Retries.Backoff,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } answer && IsUnavailable(answer) && args.Context.Properties.GetValue(SafeToRetry, false)),
                OnRetry = args =>
                {
                    GatewayLog.UpstreamRetrying(_logger, _server, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        if (options.CircuitBreaker is { } breaker)
        {
            _breakerState = new CircuitBreakerStateProvider();
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<JsonRpcMessage>
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = _breakerState,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } answer && (IsUnavailable(answer) || answer is JsonRpcError { Error.Code: GatewayErrors.UpstreamTimeout })),
                OnOpened = args =>
                {
                    GatewayLog.CircuitOpened(_logger, _server, args.BreakDuration.TotalSeconds);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    GatewayLog.CircuitHalfOpen(_logger, _server);
                    return default;
                },
                OnClosed = _ =>
                {
                    GatewayLog.CircuitClosed(_logger, _server);
                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    public ServerTrafficOptions Options { get; }

    /// <summary>Spreads sessions over the server's <c>urls</c>; null with a single endpoint.</summary>
    public EndpointBalancer? Balancer { get; }

    /// <summary>An outage (as retries and the breaker see it) rather than an answer.</summary>
    public static bool IsOutage(JsonRpcMessage answer) => IsUnavailable(answer);

    public CircuitState? State => _breakerState?.CircuitState switch
    {
        null => null,
        Polly.CircuitBreaker.CircuitState.Closed => Observability.CircuitState.Closed,
        Polly.CircuitBreaker.CircuitState.HalfOpen => Observability.CircuitState.HalfOpen,
        _ => Observability.CircuitState.Open,
    };

    /// <summary>
    /// Runs <paramref name="send"/> under the server's policy: waits for a slot (or refuses when the queue is full),
    /// refuses while the circuit is open, and repeats a safe request the upstream never answered.
    /// </summary>
    public async Task<JsonRpcMessage> RunAsync<TState>(JsonRpcRequest request, TimeSpan queueTimeout, Func<TState, CancellationToken, Task<JsonRpcMessage>> send, TState state, CancellationToken cancellationToken)
    {
        if (_slots is not null && !await EnterAsync(queueTimeout, cancellationToken))
        {
            return Busy(request, queueTimeout);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(SafeToRetry, IsSafe(request));
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (context, args) =>
                {
                    try
                    {
                        return Outcome.FromResult(await args.send(args.state, context.CancellationToken));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<JsonRpcMessage>(ex);
                    }
                },
                context,
                (send, state));
            if (outcome.Exception is BrokenCircuitException open)
            {
                var retryAfter = open.RetryAfter ?? Options.CircuitBreaker!.BreakDuration;
                return GatewayErrors.Create(request.Id, GatewayErrors.UpstreamUnavailable,
                    $"Upstream server '{_server}' is unavailable: its circuit breaker is open after repeated failures; retry in {retryAfter.TotalSeconds:0.#} s",
                    new JsonObject { ["server"] = _server, ["circuit"] = "open", ["retryAfterMs"] = (long)Math.Ceiling(retryAfter.TotalMilliseconds) });
            }

            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            _slots?.Release();
        }
    }

    /// <summary>Remembers which tools the upstream marks read-only or idempotent: their calls may be repeated.</summary>
    public void LearnTools(JsonArray tools)
    {
        foreach (var tool in tools)
        {
            if (tool?["name"] is JsonValue name && name.TryGetValue(out string? text))
            {
                var hints = tool["annotations"];
                var readOnly = IsTrue(hints?["readOnlyHint"]);
                _readOnlyTools[text] = readOnly;
                _retryableTools[text] = readOnly || IsTrue(hints?["idempotentHint"]);
            }
        }
    }

    /// <summary>Whether the upstream's last list annotated the tool <c>readOnlyHint: true</c>.</summary>
    public bool IsReadOnly(string tool) => _readOnlyTools.GetValueOrDefault(tool);

    private bool IsSafe(JsonRpcRequest request) =>
        SafeMethods.Contains(request.Method)
        || (request.Method == McpMethods.ToolsCall && McpParams.String(request.Params, "name") is { } tool && _retryableTools.GetValueOrDefault(tool));

    private static bool IsTrue(JsonNode? node) => node is JsonValue value && value.TryGetValue(out bool flag) && flag;

    /// <summary>
    /// The gateway's own "unavailable" for an outage (never reached, crashed, went away, HTTP 5xx): not an open circuit's
    /// refusal, and not an HTTP 4xx, which a repeat would only meet again.
    /// </summary>
    private static bool IsUnavailable(JsonRpcMessage answer) =>
        answer is JsonRpcError { Error.Code: GatewayErrors.UpstreamUnavailable } error
        && error.Error.Data as JsonObject is var data
        && data?["circuit"] is null
        && (data?["httpStatus"] is not JsonValue status || !status.TryGetValue(out int code) || code is < 400 or >= 500 or 408 or 429);

    private async Task<bool> EnterAsync(TimeSpan queueTimeout, CancellationToken cancellationToken)
    {
        if (_slots!.Wait(0, CancellationToken.None))
        {
            return true;
        }

        var waiting = Interlocked.Increment(ref _waiting);
        if (waiting > Options.MaxQueue)
        {
            Interlocked.Decrement(ref _waiting);
            GatewayLog.UpstreamQueueFull(_logger, _server, Options.MaxConcurrency!.Value, Options.MaxQueue);
            return false;
        }

        GatewayLog.UpstreamQueued(_logger, _server, waiting);

        try
        {
            return await _slots.WaitAsync(queueTimeout, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private JsonRpcError Busy(JsonRpcRequest request, TimeSpan queueTimeout) => GatewayErrors.Create(request.Id, GatewayErrors.UpstreamBusy,
        $"Upstream server '{_server}' is busy: {Options.MaxConcurrency} requests in flight and {Options.MaxQueue} waiting (concurrency.max / concurrency.queue), or no slot freed within {queueTimeout.TotalSeconds:0.###} s",
        new JsonObject { ["server"] = _server, ["maxConcurrency"] = Options.MaxConcurrency, ["maxQueue"] = Options.MaxQueue });
}
