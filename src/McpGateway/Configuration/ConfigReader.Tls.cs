using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary><c>gateway.tls</c> and <c>auth.certificates</c>: HTTPS with client certificates, and who each certificate is.</summary>
internal sealed partial class ConfigReader
{
    private const string TlsExample = "`{ certificate: /etc/mcp-gateway/server.pem, key: /etc/mcp-gateway/server.key, clientCertificates: require, clientCa: /etc/mcp-gateway/clients-ca.pem }`";

    private static readonly string[] TlsKeys = ["certificate", "key", "password", "clientCertificates", "clientCa"];

    private static readonly string[] CertificatePrincipalKeys = ["subject", "thumbprint", "name", "roles", "tenant"];

    private TlsOptions? ReadTls(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {TlsExample}, not a {KindOf(node)}");
            return null;
        }

        var errorCount = errors.Count;
        string? certificate = null, key = null, password = null, clientCa = null;
        var mode = ClientCertificateMode.None;
        foreach (var (entry, keyNode, value) in Entries(map, path))
        {
            var entryPath = Join(path, entry);
            if (IsNull(value))
            {
                continue;
            }

            switch (entry)
            {
                case "certificate":
                    certificate = ReadNonEmptyString(value, entryPath, "/etc/mcp-gateway/server.pem");
                    break;
                case "key":
                    key = ReadNonEmptyString(value, entryPath, "/etc/mcp-gateway/server.key");
                    break;
                case "password":
                    password = ReadNonEmptyString(value, entryPath, "\"${TLS_PASSWORD}\"");
                    break;
                case "clientCa":
                    clientCa = ReadNonEmptyString(value, entryPath, "/etc/mcp-gateway/clients-ca.pem");
                    break;
                case "clientCertificates":
                    var text = Text(value, entryPath, "none, allow or require");
                    ClientCertificateMode? parsed = text switch { "none" => ClientCertificateMode.None, "allow" => ClientCertificateMode.Allow, "require" => ClientCertificateMode.Require, _ => null };
                    if (parsed is null && text is not null)
                    {
                        Error(entryPath, value, $"`{Raw(value)}` is not a mode; write none (default), allow or require");
                    }

                    mode = parsed ?? mode;
                    break;
                default:
                    UnknownKey(entryPath, keyNode, TlsKeys);
                    break;
            }
        }

        if (certificate is null && errors.Count == errorCount)
        {
            Error(path, map, $"`certificate` is required; write e.g. {TlsExample}");
        }

        if (mode != ClientCertificateMode.None && clientCa is null && errors.Count == errorCount)
        {
            Error(path, map, "`clientCa` is required with client certificates: the PEM bundle of the CAs that issue them");
        }

        return errors.Count > errorCount ? null : new TlsOptions { CertificatePath = certificate!, KeyPath = key, Password = password, ClientCertificates = mode, ClientCa = clientCa };
    }

    private List<CertificatePrincipal>? ReadCertificatePrincipals(YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, node, $"must be a list such as `[{{ subject: \"CN=ci-bot\", roles: [dev], tenant: acme }}]`, not a {KindOf(node)}");
            return null;
        }

        List<CertificatePrincipal> principals = [];
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (sequence.Children[i] is not YamlMappingNode map)
            {
                Error(itemPath, sequence.Children[i], "must be a mapping with `subject` or `thumbprint`");
                continue;
            }

            string? subject = null, thumbprint = null, name = null, tenant = null;
            IReadOnlyList<string> roles = [];
            foreach (var (entry, keyNode, value) in Entries(map, itemPath))
            {
                var entryPath = Join(itemPath, entry);
                switch (entry)
                {
                    case "subject":
                        subject = ReadNonEmptyString(value, entryPath, "\"CN=ci-bot, O=Example\"");
                        break;
                    case "thumbprint":
                        thumbprint = ReadNonEmptyString(value, entryPath, "the certificate's SHA-256 thumbprint in hex")?.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
                        break;
                    case "name":
                        name = ReadNonEmptyString(value, entryPath, "ci-bot");
                        break;
                    case "tenant":
                        tenant = ReadNonEmptyString(value, entryPath, "acme");
                        break;
                    case "roles":
                        roles = ReadStringList(value, entryPath, "[dev]")?.Select(r => r.Text).ToList() ?? [];
                        break;
                    default:
                        UnknownKey(entryPath, keyNode, CertificatePrincipalKeys);
                        break;
                }
            }

            if ((subject is null) == (thumbprint is null))
            {
                Error(itemPath, map, "needs exactly one of `subject` or `thumbprint`");
                continue;
            }

            principals.Add(new CertificatePrincipal(subject, thumbprint, name, roles, tenant));
        }

        return principals;
    }
}
