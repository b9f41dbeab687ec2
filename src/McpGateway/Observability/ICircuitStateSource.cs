namespace McpGateway.Observability;

/// <summary>The value of <c>mcp_gateway_circuit_state</c>.</summary>
internal enum CircuitState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
}

/// <summary>Where <c>mcp_gateway_circuit_state</c> reads from; the circuit breakers (#7) will implement it.</summary>
internal interface ICircuitStateSource
{
    /// <summary>The current state of every server that has a circuit.</summary>
    IEnumerable<KeyValuePair<string, CircuitState>> CircuitStates();
}

/// <summary>No circuit breakers yet: the gauge reports nothing.</summary>
internal sealed class NoCircuitStates : ICircuitStateSource
{
    public IEnumerable<KeyValuePair<string, CircuitState>> CircuitStates() => [];
}
