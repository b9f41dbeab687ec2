namespace McpGateway.Configuration;

/// <summary>One problem found in a config file: the key path (e.g. <c>mcpServers.github.url</c>), the line when known, and what to write.</summary>
public sealed record ConfigDiagnostic(string Key, int? Line, string Message)
{
    public override string ToString() => (Key, Line) switch
    {
        ("", { } line) => $"line {line}: {Message}",
        ("", null) => Message,
        (_, { } line) => $"{Key} (line {line}): {Message}",
        _ => $"{Key}: {Message}",
    };
}

/// <summary>The outcome of loading a file: a config when there are no errors, and any warnings.</summary>
public sealed record ConfigLoadResult(GatewayConfig? Config, IReadOnlyList<ConfigDiagnostic> Errors, IReadOnlyList<ConfigDiagnostic> Warnings)
{
    public bool Succeeded => Config is not null && Errors.Count == 0;
}
