using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>Every log line the gateway writes, with stable event ids. Payloads are only ever logged at Trace.</summary>
internal static partial class GatewayLog
{
    // 1xxx: upstreams
    [LoggerMessage(1001, LogLevel.Information, "[{Server}] stderr: {Line}")]
    public static partial void UpstreamStderr(ILogger logger, string server, string line);

    [LoggerMessage(1002, LogLevel.Information, "[{Server}] started process {ProcessId} ({Command})")]
    public static partial void UpstreamProcessStarted(ILogger logger, string server, int processId, string command);

    [LoggerMessage(1003, LogLevel.Warning, "[{Server}] process {ProcessId} ended: {Reason}")]
    public static partial void UpstreamProcessExited(ILogger logger, string server, int processId, string reason);

    [LoggerMessage(1016, LogLevel.Error, "[{Server}] sent a message larger than {MaxBytes} bytes (maxMessageBytes): the connection is dropped and its requests fail")]
    public static partial void UpstreamMessageTooLarge(ILogger logger, string server, long maxBytes);

    [LoggerMessage(1004, LogLevel.Warning, "[{Server}] ignored a line on stdout that is not a JSON-RPC message: {Reason}")]
    public static partial void UpstreamInvalidLine(ILogger logger, string server, string reason);

    [LoggerMessage(1005, LogLevel.Warning, "[{Server}] process {ProcessId} ignored stdin close and SIGTERM; killing it")]
    public static partial void UpstreamProcessKilled(ILogger logger, string server, int processId);

    [LoggerMessage(1006, LogLevel.Debug, "[{Server}] answer to unknown request id {Id} ignored")]
    public static partial void UpstreamUnmatchedResponse(ILogger logger, string server, long id);

    [LoggerMessage(1007, LogLevel.Warning, "[{Server}] closing the upstream failed")]
    public static partial void UpstreamDisposeFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(1008, LogLevel.Information, "[{Server}] upstream session expired; opening a new one")]
    public static partial void UpstreamSessionExpired(ILogger logger, string server);

    [LoggerMessage(1009, LogLevel.Information, "[{Server}] connected (protocol {ProtocolVersion})")]
    public static partial void UpstreamConnected(ILogger logger, string server, string protocolVersion);

    [LoggerMessage(1010, LogLevel.Warning, "[{Server}] upstream went away ({Reason}); restarting in {DelayMs} ms")]
    public static partial void UpstreamRestartScheduled(ILogger logger, string server, string reason, double delayMs);

    [LoggerMessage(1011, LogLevel.Debug, "[{Server}] told the upstream to cancel request {Id}: {Reason}")]
    public static partial void UpstreamCancelSent(ILogger logger, string server, long id, string reason);

    [LoggerMessage(1012, LogLevel.Debug, "[{Server}] progress for a request that has ended dropped")]
    public static partial void StaleProgressDropped(ILogger logger, string server);

    [LoggerMessage(1013, LogLevel.Debug, "[{Server}] standalone event stream ended; reconnecting (attempt {Attempt})")]
    public static partial void UpstreamStreamReconnecting(ILogger logger, string server, int attempt);

    [LoggerMessage(1014, LogLevel.Warning, "[{Server}] {Reason}")]
    public static partial void UpstreamStreamFailed(ILogger logger, string server, string reason);

    [LoggerMessage(1015, LogLevel.Information, "[{Server}] Streamable HTTP POST got HTTP {Status}; using the legacy HTTP+SSE transport")]
    public static partial void UpstreamFallingBackToSse(ILogger logger, string server, int status);

    // 110x: upstream health checks
    [LoggerMessage(EventId = 1100, Message = "[{Server}] health {From} -> {To} (latency {LatencyMs} ms, {ConsecutiveFailures} consecutive failures){Error}")]
    public static partial void HealthTransition(ILogger logger, LogLevel level, string server, string from, string to, double? latencyMs, int consecutiveFailures, string error);

    [LoggerMessage(1101, LogLevel.Debug, "[{Server}] health check: {Status} (latency {LatencyMs} ms){Error}")]
    public static partial void HealthChecked(ILogger logger, string server, string status, double? latencyMs, string error);

    [LoggerMessage(1102, LogLevel.Debug, "[{Server}] health checks every {IntervalMs} ms (timeout {TimeoutMs} ms)")]
    public static partial void HealthChecksStarted(ILogger logger, string server, double intervalMs, double timeoutMs);

    [LoggerMessage(1103, LogLevel.Debug, "[{Server}] health checks stopped: {Reason}")]
    public static partial void HealthChecksStopped(ILogger logger, string server, string reason);

    [LoggerMessage(1104, LogLevel.Error, "health checks could not follow the new configuration")]
    public static partial void HealthConfigApplyFailed(ILogger logger, Exception exception);

    // 2xxx: downstream sessions
    [LoggerMessage(2001, LogLevel.Information, "session {SessionId} opened on server {Server} ({Transport})")]
    public static partial void SessionCreated(ILogger logger, string sessionId, string server, string transport);

    [LoggerMessage(2002, LogLevel.Information, "session {SessionId} on server {Server} closed: {Reason}")]
    public static partial void SessionClosed(ILogger logger, string sessionId, string server, string reason);

    [LoggerMessage(2003, LogLevel.Debug, "session {SessionId}: answer to unknown request id {Id} ignored")]
    public static partial void UnmatchedClientResponse(ILogger logger, string sessionId, long id);

    [LoggerMessage(2004, LogLevel.Warning, "session {SessionId}: no stream open and backlog full; dropped the oldest message")]
    public static partial void BacklogOverflow(ILogger logger, string sessionId);

    [LoggerMessage(2005, LogLevel.Debug, "[{Server}] notification {Method} on the shared stateless link dropped: no client session to deliver it to")]
    public static partial void StatelessNotificationDropped(ILogger logger, string server, string method);

    // 25xx: aggregation
    [LoggerMessage(2501, LogLevel.Warning, "view {View}: member {Server} is unavailable: {Reason}")]
    public static partial void ViewMemberUnavailable(ILogger logger, string view, string server, string reason);

    [LoggerMessage(2502, LogLevel.Warning, "view {View}: member {Server} did not answer {Method}: {Reason}")]
    public static partial void ViewMemberListFailed(ILogger logger, string view, string server, string method, string reason);

    [LoggerMessage(2503, LogLevel.Warning, "view {View}: '{Name}' is offered by {Owner} and {Other}; the first keeps it")]
    public static partial void ViewCollision(ILogger logger, string view, string name, string owner, string other);

    // 26xx: config hot reload
    [LoggerMessage(2600, LogLevel.Information, "config reloaded from {Source} (version {Version}): {Summary}")]
    public static partial void ConfigReloadApplied(ILogger logger, string source, int version, string summary);

    [LoggerMessage(2601, LogLevel.Error, "config reload from {Source} rejected; still serving version {Version}. {Errors}")]
    public static partial void ConfigReloadRejected(ILogger logger, string source, int version, string errors);

    [LoggerMessage(2602, LogLevel.Warning, "config reload: {Setting} changed; it takes effect at the next start")]
    public static partial void ConfigReloadNeedsRestart(ILogger logger, string setting);

    [LoggerMessage(2603, LogLevel.Debug, "config file {Source} unchanged ({Trigger}); nothing to reload")]
    public static partial void ConfigReloadUnchanged(ILogger logger, string source, string trigger);

    [LoggerMessage(2604, LogLevel.Information, "watching config file {Source} for changes (debounce {DebounceMs} ms; SIGHUP reloads too)")]
    public static partial void ConfigWatchStarted(ILogger logger, string source, double debounceMs);

    [LoggerMessage(2605, LogLevel.Warning, "config file watcher failed; reloading to be safe")]
    public static partial void ConfigWatchError(ILogger logger, Exception exception);

    [LoggerMessage(2606, LogLevel.Warning, "closing session {SessionId} after the config reload failed")]
    public static partial void ConfigReloadCloseFailed(ILogger logger, string sessionId, Exception exception);

    // 3xxx: endpoints and host
    [LoggerMessage(3001, LogLevel.Information, "{Method} {Path} rejected with {Status}: {Reason}")]
    public static partial void RequestRejected(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(3002, LogLevel.Warning, "config: {Diagnostic}")]
    public static partial void ConfigWarning(ILogger logger, string diagnostic);

    [LoggerMessage(3003, LogLevel.Information, "McpGateway {Version} serving {ServerCount} server(s) on {Urls}")]
    public static partial void Started(ILogger logger, string version, int serverCount, string urls);

    [LoggerMessage(3004, LogLevel.Trace, "session {SessionId} ← {Payload}")]
    public static partial void ClientMessage(ILogger logger, string sessionId, string payload);

    // 31xx: one event per completed client request (the access log); property names become snake_case in JSON logs.
    [LoggerMessage(3100, LogLevel.Information, "{Method} {Tool} {Status} in {DurationMs} ms; view={View} server={Server} client={ClientId} tenant={Tenant} trace={TraceId}")]
    public static partial void RequestCompleted(ILogger logger, string clientId, string? tenant, string view, string server, string method, string? tool, double durationMs, string status, string? traceId);

    [LoggerMessage(3101, LogLevel.Trace, "{Method} request {Request} answered with {Response}, trace {TraceId}")]
    public static partial void RequestPayloads(ILogger logger, string method, string request, string response, string? traceId);
}
