namespace McpGateway.Configuration;

/// <summary>How tool-call arguments appear in audit records.</summary>
public enum AuditArguments
{
    /// <summary>SHA-256 of the arguments as sent (hex): equal calls correlate, values stay out.</summary>
    Hash,

    /// <summary>The arguments JSON with emails, card numbers, API keys and <c>guardrails.redact</c> patterns replaced.</summary>
    Redact,

    Omit,
}

/// <summary>The <c>audit:</c> section; read at start-up (the writer and its queue are made once).</summary>
public sealed record AuditOptions
{
    /// <summary>Records <c>tools/call</c>, <c>prompts/get</c>, <c>resources/read</c> and admin changes; on by default.</summary>
    public bool Enabled { get; init; } = true;

    public AuditArguments Arguments { get; init; } = AuditArguments.Hash;

    /// <summary>Records older than this are deleted; null keeps them forever.</summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Records waiting for the database; when full, new records are counted as dropped and logged.</summary>
    public int QueueCapacity { get; init; } = 10_000;
}
