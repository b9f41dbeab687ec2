using Microsoft.Extensions.Logging;

namespace McpGateway.Observability;

/// <summary>Authentication and API keys (50xx: 5000-5039). Credentials are never logged; key ids are public.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(5000, LogLevel.Warning, "authentication refused {Method} {Path} from {Remote}: {Reason}")]
    public static partial void AuthenticationRejected(ILogger logger, string method, string path, string remote, string reason);

    [LoggerMessage(5001, LogLevel.Debug, "authenticated {PrincipalId} ({Kind}) for {Method} {Path}")]
    public static partial void Authenticated(ILogger logger, string principalId, string kind, string method, string path);

    [LoggerMessage(5002, LogLevel.Information, "authentication: {Methods}; credential required on the data plane: {Required}")]
    public static partial void AuthenticationConfigured(ILogger logger, string methods, bool required);

    [LoggerMessage(5010, LogLevel.Information, "API key {KeyId} created: name {Name}, roles {Roles}, tenant {Tenant}")]
    public static partial void ApiKeyCreated(ILogger logger, string keyId, string name, string roles, string tenant);

    [LoggerMessage(5011, LogLevel.Information, "API key {KeyId} revoked")]
    public static partial void ApiKeyRevoked(ILogger logger, string keyId);

    [LoggerMessage(5012, LogLevel.Warning, "API key {KeyId}: could not record last use: {Reason}")]
    public static partial void ApiKeyTouchFailed(ILogger logger, string keyId, string reason);

    [LoggerMessage(5020, LogLevel.Warning, "session {SessionId} presented by {PrincipalId}, but it belongs to another principal; answered as unknown")]
    public static partial void SessionPrincipalMismatch(ILogger logger, string sessionId, string principalId);
}
