using System.Collections.Concurrent;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace McpGateway.Guardrails;

/// <summary>
/// Compiled <c>inputSchema</c> validators per server and tool. Fed by the tools/list answers the gateway relays (and
/// by its own fetch on a miss); a schema is compiled once and reused until the server lists a different one.
/// </summary>
/// <remarks>
/// Two levels keep the call path cheap: a weak table keyed by the schema node itself (a view's merged list keeps the
/// same node for as long as it is cached, so a call costs one reference lookup), and a dictionary keyed by
/// (server, tool) holding the schema's hash, so a list rebuilt by another session does not compile the same schema again.
/// </remarks>
internal sealed class ToolSchemaCache
{
    private readonly ConcurrentDictionary<(string Server, string Tool), Compiled> _byTool = new();
    private readonly ConditionalWeakTable<JsonNode, Compiled> _byNode = new();

    /// <summary>Servers whose whole tool list the cache has seen at least once (a miss there means "no such tool").</summary>
    private readonly ConcurrentDictionary<string, byte> _listed = new(StringComparer.Ordinal);

    /// <summary>Remembers every tool of one complete tools/list answer (all pages) of <paramref name="server"/>.</summary>
    public void Learn(string server, JsonArray tools, bool complete)
    {
        foreach (var node in tools)
        {
            if (node is JsonObject tool && (string?)tool["name"] is { } name)
            {
                For(server, name, tool["inputSchema"]);
            }
        }

        if (complete)
        {
            _listed[server] = 0;
        }
    }

    /// <summary>The validator for a tool whose listing is at hand; null when it has no schema.</summary>
    public JsonSchemaValidator? For(string server, string tool, JsonNode? schema)
    {
        if (schema is null)
        {
            return null;
        }

        if (_byNode.TryGetValue(schema, out var known) && known.Server == server && known.Tool == tool)
        {
            return known.Validator;
        }

        var hash = Hash(schema);
        var compiled = _byTool.AddOrUpdate(
            (server, tool),
            static (key, state) => new Compiled(key.Server, key.Tool, state.Hash, JsonSchemaValidator.Compile(state.Schema)),
            static (key, existing, state) => existing.Hash == state.Hash ? existing : new Compiled(key.Server, key.Tool, state.Hash, JsonSchemaValidator.Compile(state.Schema)),
            (Hash: hash, Schema: schema));
        _byNode.AddOrUpdate(schema, compiled);
        return compiled.Validator;
    }

    /// <summary>The validator learned for a tool; <paramref name="known"/> is false when the server's tools were never listed.</summary>
    public JsonSchemaValidator? Find(string server, string tool, out bool known)
    {
        if (_byTool.TryGetValue((server, tool), out var compiled))
        {
            known = true;
            return compiled.Validator;
        }

        known = _listed.ContainsKey(server);
        return null;
    }

    private static ulong Hash(JsonNode schema) => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(schema.ToJsonString())));

    private sealed record Compiled(string Server, string Tool, ulong Hash, JsonSchemaValidator Validator);
}
