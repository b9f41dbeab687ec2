namespace McpGateway.Upstreams;

/// <summary>An upstream could not be reached or went away. The message names the server.</summary>
internal class UpstreamException(string serverName, string reason) : Exception($"Upstream server '{serverName}' is unavailable: {reason}")
{
    public string ServerName { get; } = serverName;

    public string Reason { get; } = reason;
}

/// <summary>
/// The server takes each principal's own credential (<c>auth: { type: perPrincipal }</c>) and the caller has stored none.
/// Not a failure of the upstream: it does not count towards reconnect backoff.
/// </summary>
internal sealed class UpstreamCredentialRequiredException(string serverName, string principalId)
    : UpstreamException(serverName, $"it needs your own credential and '{principalId}' has none stored; store it with PUT /api/v1/credentials/{serverName}")
{
    public string PrincipalId { get; } = principalId;
}
