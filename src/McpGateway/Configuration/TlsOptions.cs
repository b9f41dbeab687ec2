namespace McpGateway.Configuration;

/// <summary>Whether the TLS handshake asks the client for a certificate.</summary>
public enum ClientCertificateMode
{
    None,

    /// <summary>Asked for; a connection without one goes on to the other authenticators.</summary>
    Allow,

    /// <summary>A connection without a valid client certificate fails the handshake.</summary>
    Require,
}

/// <summary>
/// <c>gateway.tls</c>: HTTPS on the listen address, optionally with client certificates (mTLS) checked against
/// <see cref="ClientCa"/>. Read at start-up.
/// </summary>
public sealed record TlsOptions
{
    /// <summary>The server certificate: a PEM file (with <see cref="KeyPath"/>) or a PFX/PKCS#12 file (with <see cref="Password"/>).</summary>
    public required string CertificatePath { get; init; }

    public string? KeyPath { get; init; }

    public string? Password { get; init; }

    public ClientCertificateMode ClientCertificates { get; init; } = ClientCertificateMode.None;

    /// <summary>PEM bundle of the CAs whose client certificates are accepted; required unless client certificates are off.</summary>
    public string? ClientCa { get; init; }
}

/// <summary>One entry of <c>auth.certificates</c>: which client certificate is which principal.</summary>
/// <param name="Subject">The certificate's subject as .NET prints it (e.g. <c>CN=ci-bot, O=Example</c>); or null with <paramref name="Thumbprint"/>.</param>
/// <param name="Thumbprint">SHA-256 thumbprint (hex, any case); or null with <paramref name="Subject"/>.</param>
public sealed record CertificatePrincipal(string? Subject, string? Thumbprint, string? Name, IReadOnlyList<string> Roles, string? Tenant);
