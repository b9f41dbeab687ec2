using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary><c>auth.resource</c> and <c>auth.jwt</c>: the gateway as an OAuth 2.1 resource server.</summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] JwtKeys =
        ["issuer", "audience", "jwksUrl", "keys", "sharedSecret", "algorithms", "clockSkew", "requiredScopes", "claims", "jwksRefreshInterval"];

    private static readonly string[] JwtClaimKeys = ["roles", "tenant", "name"];

    private static readonly string[] AsymmetricAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    private static readonly string[] HmacAlgorithms = ["HS256", "HS384", "HS512"];

    private const string JwtExample = "`jwt: { issuer: https://login.example.com/, jwksUrl: https://login.example.com/.well-known/jwks.json }`";

    /// <summary>Reads <c>resource</c> then <c>jwt</c> (its default audience is the resource) from the <c>auth:</c> mapping.</summary>
    private AuthOptions ReadAuthResourceAndJwt(YamlMappingNode map, string path, AuthOptions options)
    {
        YamlNode? jwtNode = null;
        var resourceWritten = false;
        foreach (var (key, _, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            if (key == "resource")
            {
                resourceWritten = true;
                options = ReadResourceUrl(value, Join(path, key)) is { } resource ? options with { Resource = resource } : options;
            }
            else if (key == "jwt")
            {
                jwtNode = value;
            }
        }

        return jwtNode is null ? options : options with { Jwt = ReadJwt(jwtNode, Join(path, "jwt"), options.Resource, resourceWritten) };
    }

    private Uri? ReadResourceUrl(YamlNode node, string path)
    {
        if (ReadNonEmptyString(node, path, "the gateway's public URL, e.g. https://gw.example.com") is not { } text)
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            Error(path, node, $"`{Raw(node)}` is not the gateway's URL; write an absolute https URL without query or fragment, e.g. https://gw.example.com");
            return null;
        }

        if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            Warning(path, node, "is plain http on a non-loopback host; OAuth 2.1 requires https for resource servers");
        }

        return uri;
    }

    private JwtOptions? ReadJwt(YamlNode node, string path, Uri? resource, bool resourceWritten)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {JwtExample}, not a {KindOf(node)}");
            return null;
        }

        string? issuer = null;
        List<string> audiences = [];
        Uri? jwksUrl = null;
        List<SecurityKey> keys = [];
        string? sharedSecret = null;
        (List<(string Text, YamlNode Node, string Path)> Items, YamlNode Node)? algorithms = null;
        var options = new JwtOptions { Issuer = string.Empty };
        var errorCount = errors.Count;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            switch (key)
            {
                case "issuer":
                    issuer = ReadNonEmptyString(value, keyPath, "the authorization server's issuer URL, e.g. https://login.example.com/")?.Trim();
                    break;
                case "audience":
                    audiences = value is YamlSequenceNode
                        ? ReadStringList(value, keyPath, "[https://gw.example.com]")?.ConvertAll(item => item.Text.Trim()) ?? []
                        : ReadNonEmptyString(value, keyPath, "https://gw.example.com") is { } audience ? [audience.Trim()] : [];
                    break;
                case "jwksUrl":
                    jwksUrl = ReadJwksUrl(value, keyPath);
                    break;
                case "keys":
                    keys.AddRange(ReadSigningKeys(value, keyPath));
                    break;
                case "sharedSecret":
                    sharedSecret = ReadNonEmptyString(value, keyPath, "\"${JWT_SHARED_SECRET}\"");
                    if (sharedSecret is not null && System.Text.Encoding.UTF8.GetByteCount(sharedSecret) < 32)
                    {
                        // The message must not echo the secret.
                        Error(keyPath, value, "is shorter than 32 bytes; HMAC-SHA256 needs a secret of at least 256 bits (e.g. `openssl rand -hex 32`)");
                        sharedSecret = null;
                    }

                    break;
                case "algorithms":
                    algorithms = ReadStringList(value, keyPath, "[RS256, ES256]") is { } list ? (list, value) : null;
                    break;
                case "clockSkew":
                    options = ReadClockSkew(value, keyPath) is { } skew ? options with { ClockSkew = skew } : options;
                    break;
                case "requiredScopes":
                    options = ReadStringList(value, keyPath, "[mcp:tools]") is { } scopes
                        ? options with { RequiredScopes = scopes.ConvertAll(scope => scope.Text.Trim()).Where(scope => scope.Length > 0).Distinct(StringComparer.Ordinal).ToList() }
                        : options;
                    break;
                case "claims":
                    options = options with { Claims = ReadClaimNames(value, keyPath) };
                    break;
                case "jwksRefreshInterval":
                    options = ReadDuration(value, keyPath) is { } interval ? options with { JwksRefreshInterval = interval } : options;
                    break;
                default:
                    UnknownKey(keyPath, keyNode, JwtKeys);
                    break;
            }
        }

        if (issuer is null && errors.Count == errorCount)
        {
            Error(Join(path, "issuer"), map, "is required; write the `iss` your authorization server puts in tokens, e.g. `issuer: https://login.example.com/`");
        }

        if (audiences.Count == 0 && resource is not null)
        {
            audiences = [resource.AbsoluteUri.TrimEnd('/')];
        }

        // A resource that was written but invalid already has its error; do not add a second one for the audience.
        if (audiences.Count == 0 && errors.Count == errorCount && !resourceWritten)
        {
            Error(Join(path, "audience"), map, "is required (RFC 8707: tokens must be issued for this gateway); write `auth.resource: https://gw.example.com` or `audience: ...`");
        }

        if (jwksUrl is null && keys.Count == 0 && sharedSecret is null && errors.Count == errorCount)
        {
            Error(path, map, "names no signing keys; add `jwksUrl: https://login.example.com/.well-known/jwks.json` or `keys: [...]` (JWKs or PEM public keys)");
        }

        var allowed = ReadAlgorithms(algorithms, Join(path, "algorithms"), sharedSecret is not null);
        if (sharedSecret is not null)
        {
            keys.Add(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(sharedSecret)));
        }

        return issuer is null || audiences.Count == 0 || allowed is null
            ? null
            : options with { Issuer = issuer, Audiences = audiences, JwksUrl = jwksUrl, SigningKeys = keys, Algorithms = allowed };
    }

    /// <summary>The allow-list: never <c>none</c>; HMAC only when a shared secret is configured (it adds HS256 to the defaults).</summary>
    private List<string>? ReadAlgorithms((List<(string Text, YamlNode Node, string Path)> Items, YamlNode Node)? written, string path, bool hasSharedSecret)
    {
        if (written is not { } algorithms)
        {
            return hasSharedSecret ? [.. JwtOptions.DefaultAlgorithms, "HS256"] : [.. JwtOptions.DefaultAlgorithms];
        }

        var result = new List<string>();
        foreach (var (text, node, itemPath) in algorithms.Items)
        {
            var name = text.Trim();
            if (AsymmetricAlgorithms.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) is { } asymmetric)
            {
                result.Add(asymmetric);
            }
            else if (HmacAlgorithms.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) is { } hmac)
            {
                if (!hasSharedSecret)
                {
                    Error(itemPath, node, $"`{name}` is an HMAC algorithm and needs `sharedSecret:`; without one only asymmetric algorithms are allowed ({string.Join(", ", AsymmetricAlgorithms)})");
                    return null;
                }

                result.Add(hmac);
            }
            else
            {
                Error(itemPath, node, string.Equals(name, "none", StringComparison.OrdinalIgnoreCase)
                    ? "`none` accepts unsigned tokens and is never allowed; remove it"
                    : $"`{Raw(node)}` is not a supported signing algorithm; write some of {string.Join(", ", AsymmetricAlgorithms)} (or {string.Join(", ", HmacAlgorithms)} with `sharedSecret`)");
                return null;
            }
        }

        if (result.Count == 0)
        {
            Error(path, algorithms.Node, "is empty; list at least one algorithm, e.g. [RS256, ES256], or remove the key");
            return null;
        }

        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    private Uri? ReadJwksUrl(YamlNode node, string path)
    {
        if (ReadNonEmptyString(node, path, "https://login.example.com/.well-known/jwks.json") is not { } text)
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            Error(path, node, $"`{Raw(node)}` is not an absolute URL; write e.g. https://login.example.com/.well-known/jwks.json");
            return null;
        }

        if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            // Keys fetched in clear could be swapped by anyone on the path.
            Error(path, node, $"`{Raw(node)}` must use https (plain http is accepted for loopback addresses only)");
            return null;
        }

        return uri;
    }

    private TimeSpan? ReadClockSkew(YamlNode node, string path)
    {
        if (Text(node, path, "a duration") is not { } text)
        {
            return null;
        }

        if (!ConfigValueParser.TryParseDuration(text, out var value) || value < TimeSpan.Zero || value > TimeSpan.FromMinutes(10))
        {
            Error(path, node, $"`{Raw(node)}` is not a clock skew from 0s to 10m; {ConfigValueParser.DurationHelp}");
            return null;
        }

        return value;
    }

    private JwtClaimNames ReadClaimNames(YamlNode node, string path)
    {
        var names = new JwtClaimNames();
        foreach (var (key, _, value, keyPath) in ReadStringMap(node, path, "{ roles: roles, tenant: tid, name: preferred_username }") ?? [])
        {
            var claim = value.Trim();
            if (claim.Length == 0)
            {
                Error(keyPath, null, "is empty; write a claim name or remove the key");
                continue;
            }

            names = key switch
            {
                "roles" => names with { Roles = claim },
                "tenant" => names with { Tenant = claim },
                "name" => names with { Name = claim },
                _ => names,
            };
            if (!JwtClaimKeys.Contains(key))
            {
                Warning(keyPath, null, $"unknown key, ignored; write one of {string.Join(", ", JwtClaimKeys)}");
            }
        }

        return names;
    }

    /// <summary>Each item a JWK (mapping) or a PEM public key (string); private key material is refused.</summary>
    private List<SecurityKey> ReadSigningKeys(YamlNode node, string path)
    {
        var keys = new List<SecurityKey>();
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, node, $"must be a list of JWKs or PEM public keys, not a {KindOf(node)}");
            return keys;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            var itemPath = $"{path}[{i}]";
            if (item is YamlMappingNode jwk)
            {
                if (ReadJsonWebKey(jwk, itemPath) is { } key)
                {
                    keys.Add(key);
                }
            }
            else if (Text(item, itemPath, "a JWK mapping or a PEM public key") is { } pem)
            {
                if (ReadPemKey(pem, item, itemPath) is { } key)
                {
                    keys.Add(key);
                }
            }
        }

        return keys;
    }

    private JsonWebKey? ReadJsonWebKey(YamlMappingNode node, string path)
    {
        try
        {
            var key = new JsonWebKey(YamlJson.ToJsonObject(node).ToJsonString());
            if (key.HasPrivateKey || key.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve))
            {
                Error(path, node, "must be an RSA or EC public key (kty RSA or EC, without private members such as `d`)");
                return null;
            }

            return key;
        }
        catch (ArgumentException)
        {
            Error(path, node, "is not a JSON Web Key; write e.g. `{ kty: RSA, kid: key-1, n: ..., e: AQAB }`");
            return null;
        }
    }

    private SecurityKey? ReadPemKey(string pem, YamlNode node, string path)
    {
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            // The message must not echo the key.
            Error(path, node, "holds a private key; the gateway needs only the public key (`-----BEGIN PUBLIC KEY-----`)");
            return null;
        }

        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
        }
        catch (CryptographicException)
        {
        }

        try
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return new ECDsaSecurityKey(ecdsa);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            Error(path, node, "is not a PEM public key; write an RSA or EC key starting with `-----BEGIN PUBLIC KEY-----`");
            return null;
        }
    }
}
