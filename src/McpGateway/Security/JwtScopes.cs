namespace McpGateway.Security;

/// <summary>
/// Set on the request when a valid JWT lacks <c>auth.jwt.requiredScopes</c>. The authenticator then answers
/// <see cref="AuthenticationOutcomeKind.Rejected"/> (fail closed); the pipeline turns a rejection carrying this feature
/// into 403 with <see cref="BearerChallenge.InsufficientScope"/> instead of 401.
/// </summary>
public interface IInsufficientScopeFeature
{
    /// <summary>Every scope the request needs (RFC 6750 §3.1: the <c>scope</c> attribute lists what is required).</summary>
    IReadOnlyList<string> RequiredScopes { get; }

    /// <summary>Those the token did not grant.</summary>
    IReadOnlyList<string> MissingScopes { get; }
}

internal sealed record InsufficientScopeFeature(IReadOnlyList<string> RequiredScopes, IReadOnlyList<string> MissingScopes) : IInsufficientScopeFeature;
