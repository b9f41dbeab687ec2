using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace McpGateway.Storage;

/// <summary>The Data Protection key ring in the registry database (SQLite or PostgreSQL) instead of a directory.</summary>
internal sealed class EfXmlRepository(EfRegistryStore registry) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = registry.CreateContext();
        return [.. db.DataProtectionKeys.Select(k => k.Xml).AsEnumerable().Select(xml => XElement.Parse(xml))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var db = registry.CreateContext();
        db.DataProtectionKeys.Add(new StoredDataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
