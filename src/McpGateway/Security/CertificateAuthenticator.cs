using System.Security.Cryptography;
using McpGateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Security;

/// <summary>
/// mTLS: a client certificate that passed the TLS handshake (chain to <c>gateway.tls.clientCa</c>, in date) becomes the
/// principal <c>cert:{sha256}</c> that <c>auth.certificates</c> maps it to by subject or thumbprint. A valid certificate
/// that no entry maps is refused (401) rather than treated as anonymous.
/// </summary>
internal sealed class CertificateAuthenticator(IGatewayConfigProvider config) : IRequestAuthenticator
{
    public ValueTask<AuthenticationOutcome> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var certificate = context.Connection.ClientCertificate;
        var mappings = config.Current.Auth.Certificates;
        if (certificate is null || mappings.Count == 0)
        {
            return ValueTask.FromResult(AuthenticationOutcome.NoCredential);
        }

        var thumbprint = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        foreach (var mapping in mappings)
        {
            if ((mapping.Thumbprint is { } wanted && wanted == thumbprint)
                || (mapping.Subject is { } subject && string.Equals(subject, certificate.Subject, StringComparison.OrdinalIgnoreCase)))
            {
                var name = mapping.Name ?? certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false);
                return ValueTask.FromResult(AuthenticationOutcome.Success(
                    new GatewayPrincipal("cert:" + thumbprint.ToLowerInvariant(), PrincipalKind.Certificate, name, mapping.Roles, mapping.Tenant, [])));
            }
        }

        return ValueTask.FromResult(AuthenticationOutcome.Reject("certificate_not_mapped"));
    }
}
