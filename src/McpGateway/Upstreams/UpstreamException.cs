namespace McpGateway.Upstreams;

/// <summary>An upstream could not be reached or went away. The message names the server.</summary>
internal sealed class UpstreamException(string serverName, string reason) : Exception($"Upstream server '{serverName}' is unavailable: {reason}")
{
    public string ServerName { get; } = serverName;

    public string Reason { get; } = reason;
}
