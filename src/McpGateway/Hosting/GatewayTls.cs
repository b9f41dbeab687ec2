using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using McpGateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace McpGateway.Hosting;

/// <summary><c>gateway.tls</c> applied to Kestrel: the server certificate, and client certificates checked against the configured CAs only.</summary>
internal static class GatewayTls
{
    public static void Configure(KestrelServerOptions kestrel, TlsOptions tls)
    {
        var server = LoadServerCertificate(tls);
        var clientCas = tls.ClientCa is { } caPath ? LoadBundle(caPath) : null;
        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = server;
            https.ClientCertificateMode = tls.ClientCertificates switch
            {
                Configuration.ClientCertificateMode.Require => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate,
                Configuration.ClientCertificateMode.Allow => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
                _ => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate,
            };
            if (clientCas is not null)
            {
                https.ClientCertificateValidation = (certificate, _, _) => IsIssuedByTrustedCa(certificate, clientCas);
            }
        });
    }

    /// <summary>
    /// Chains the certificate to the configured CAs alone (not the machine's store), checks dates and, when the
    /// certificate names usages, client authentication. Revocation is not checked (no CRL or OCSP fetch from here).
    /// </summary>
    public static bool IsIssuedByTrustedCa(X509Certificate2 certificate, X509Certificate2Collection trusted)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        return chain.Build(certificate);
    }

    private static X509Certificate2 LoadServerCertificate(TlsOptions tls) =>
        CertificateFiles.Load("gateway.tls.certificate", tls.CertificatePath, tls.KeyPath, tls.Password);

    private static X509Certificate2Collection LoadBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"gateway.tls.clientCa: cannot load '{path}': {ex.Message}", ex);
        }

        return bundle.Count == 0 ? throw new InvalidOperationException($"gateway.tls.clientCa: '{path}' holds no certificate") : bundle;
    }
}
