using System.Security.Cryptography.X509Certificates;

namespace McpGateway.Hosting;

/// <summary>Loads a certificate with its private key from PEM (certificate + key files) or PKCS#12 (one file, optional password).</summary>
internal static class CertificateFiles
{
    /// <param name="setting">The config key, for the error message (e.g. <c>gateway.tls.certificate</c>).</param>
    public static X509Certificate2 Load(string setting, string certificatePath, string? keyPath, string? password)
    {
        try
        {
            if (keyPath is not null)
            {
                using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

                // The key in a form every platform stack can use (Kestrel on Linux, EncryptedXml): round-trip through PKCS#12.
                return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }

            return X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: cannot load '{certificatePath}'{(keyPath is null ? string.Empty : $" with key '{keyPath}'")}: {ex.Message}", ex);
        }
    }
}
