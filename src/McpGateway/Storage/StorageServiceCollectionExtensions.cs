using McpGateway.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpGateway.Storage;

public static class StorageServiceCollectionExtensions
{
    private const string SecretsPurpose = "McpGateway.Storage.ServerSecrets.v1";

    /// <summary>
    /// Registers <see cref="IRegistryStore"/> (a singleton over <paramref name="options"/>). The caller runs
    /// <see cref="IRegistryStore.InitializeAsync"/> once before the first load or save.
    /// </summary>
    public static IServiceCollection AddRegistryStore(this IServiceCollection services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IRegistryStore>(sp => new EfRegistryStore(options, sp.GetRequiredService<ILogger<EfRegistryStore>>())
        {
            // Resolved on first use: the protector's key ring is read from this very store.
            Secrets = new StoredSecrets(() => sp.GetRequiredService<IDataProtectionProvider>().CreateProtector(SecretsPurpose)),
        });
        return services;
    }

    /// <summary>
    /// Secrets at rest: Data Protection with one key ring in the registry database for every replica, under one
    /// application name. Register after the hosted service that migrates the store: Data Protection reads its key
    /// ring when it starts.
    /// </summary>
    public static IServiceCollection AddStoredSecretProtection(this IServiceCollection services, KeyRingProtection? keyRing = null)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName("McpGateway");
        if (keyRing is not null)
        {
            // Keys are written encrypted to this certificate and read back with it (never looked up in a machine store).
            var certificate = Hosting.CertificateFiles.Load("storage.keyRing.certificate", keyRing.Certificate, keyRing.Key, keyRing.Password);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"storage.keyRing.certificate: '{keyRing.Certificate}' has no private key; the gateway needs it to read the key ring back");
            }

            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        services.AddOptions<KeyManagementOptions>().Configure<IRegistryStore>((keys, store) => keys.XmlRepository = new EfXmlRepository((EfRegistryStore)store));
        return services;
    }
}
