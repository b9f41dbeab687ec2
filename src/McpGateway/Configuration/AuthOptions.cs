namespace McpGateway.Configuration;

/// <summary>
/// The <c>auth:</c> section: which ways of proving identity the data plane and admin surfaces accept. Partial so each
/// authentication method (e.g. client certificates) adds its own settings.
/// </summary>
public sealed partial record AuthOptions
{
    /// <summary>Accept API keys (<c>mgw_...</c>) created through the admin API or <c>mcp-gateway keys create</c>.</summary>
    public bool ApiKeys { get; init; }

    /// <summary>
    /// <c>auth.required</c> as written; null when absent, which means "required as soon as any method is configured".
    /// <c>false</c> with a method configured keeps anonymous access on loopback-trusting setups (a credential, when sent, is still checked).
    /// </summary>
    public bool? Required { get; init; }

    /// <summary>
    /// The gateway's canonical URL (<c>auth.resource</c>, e.g. <c>https://gw.example.com</c>): the default token
    /// audience and the base of the RFC 9728 metadata. Null: derived from each request's scheme and host.
    /// </summary>
    public Uri? Resource { get; init; }

    /// <summary>The <c>auth.jwt</c> section; null when JWT access tokens are not accepted.</summary>
    public JwtOptions? Jwt { get; init; }

    /// <summary><c>auth.certificates</c>: client certificates (from <c>gateway.tls</c>) mapped to principals; empty: none accepted.</summary>
    public IReadOnlyList<CertificatePrincipal> Certificates { get; init; } = [];

    /// <summary>The methods that are switched on, e.g. <c>apiKeys</c>, <c>jwt</c>; empty when the gateway runs without authentication.</summary>
    public IReadOnlyList<string> ConfiguredMethods
    {
        get
        {
            List<string> methods = [];
            if (ApiKeys)
            {
                methods.Add("apiKeys");
            }

            if (Jwt is not null)
            {
                methods.Add("jwt");
            }

            if (Certificates.Count > 0)
            {
                methods.Add("certificates");
            }

            AddConfiguredMethods(methods);
            return methods;
        }
    }

    /// <summary>True when at least one method is configured, so the gateway may listen on a non-loopback address.</summary>
    public bool IsConfigured => ConfiguredMethods.Count > 0;

    /// <summary>Whether a request without any credential is refused (401) on the data plane.</summary>
    public bool RequiresCredential => Required ?? IsConfigured;

    /// <summary>Hook for other methods' partial files (e.g. client certificates).</summary>
    partial void AddConfiguredMethods(List<string> methods);
}
