namespace McpGateway.Aggregation;

/// <summary>
/// What one caller may see of a catalog (authorization): asked with the member server and the item's upstream name (or
/// URI), never the name a view exposes. A view leaves what it refuses out of lists and answers calls to it as unknown.
/// </summary>
internal interface ICatalogAccess
{
    bool Allows(CatalogKind kind, string server, string key);
}
