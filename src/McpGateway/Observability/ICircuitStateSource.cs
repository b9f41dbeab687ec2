namespace McpGateway.Observability;

/// <summary>The value of <c>mcp_gateway_circuit_state</c>.</summary>
internal enum CircuitState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
}

/// <summary>Where <c>mcp_gateway_circuit_state</c> reads from: <see cref="Upstreams.UpstreamTraffic"/>.</summary>
internal interface ICircuitStateSource
{
    /// <summary>The current state of every server that has a circuit.</summary>
    IEnumerable<KeyValuePair<string, CircuitState>> CircuitStates();
}

/// <summary>No circuit breakers (tests that build metrics without a gateway): the gauge reports nothing.</summary>
internal sealed class NoCircuitStates : ICircuitStateSource
{
    public IEnumerable<KeyValuePair<string, CircuitState>> CircuitStates() => [];
}
