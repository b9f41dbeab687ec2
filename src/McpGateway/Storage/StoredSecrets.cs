using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using Microsoft.AspNetCore.DataProtection;

namespace McpGateway.Storage;

/// <summary>
/// Encrypts the secrets of stored server definitions (see <see cref="SecretFields"/>) with ASP.NET Core Data Protection
/// before they reach the database, and decrypts them when read. Everything above the store sees the values as written.
/// </summary>
internal sealed class StoredSecrets(Func<IDataProtector> protector)
{
    public const string Prefix = "enc:v1:";

    private IDataProtector? _protector;

    private IDataProtector Protector => _protector ??= protector();

    /// <summary>The definition as stored: secrets replaced by <c>enc:v1:…</c>; unchanged text when it holds no secret.</summary>
    public string Protect(string definition)
    {
        if (JsonNode.Parse(definition) is not JsonObject json)
        {
            return definition;
        }

        var changed = false;
        SecretFields.ReplaceInServer(json, value =>
        {
            if (value is JsonValue text && text.TryGetValue(out string? plain) && !plain.StartsWith(Prefix, StringComparison.Ordinal))
            {
                changed = true;
                return Prefix + Protector.Protect(plain);
            }

            return value;
        });
        return changed ? json.ToJsonString() : definition;
    }

    /// <summary>The definition as written. A value that no longer decrypts (key ring lost or replaced) is a clear error.</summary>
    public string Unprotect(string name, string definition)
    {
        if (!definition.Contains(Prefix, StringComparison.Ordinal) || JsonNode.Parse(definition) is not JsonObject json)
        {
            return definition;
        }

        SecretFields.ReplaceInServer(json, value =>
        {
            if (value is JsonValue text && text.TryGetValue(out string? stored) && stored.StartsWith(Prefix, StringComparison.Ordinal))
            {
                try
                {
                    return Protector.Unprotect(stored[Prefix.Length..]);
                }
                catch (CryptographicException ex)
                {
                    throw new StorageUnavailableException(
                        $"a stored secret of server '{name}' cannot be decrypted ({ex.Message}): the data-protection key ring in the database (table data_protection_keys) is missing or is not the one it was encrypted with", ex);
                }
            }

            return value;
        });
        return json.ToJsonString();
    }
}
