using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpGateway.Configuration;

namespace McpGateway.Hosting;

/// <summary>
/// <c>mcp-gateway servers list|add|remove|enable|disable</c>, <c>import FILE</c> and <c>keys</c>: clients of a running
/// gateway's admin API. Exit codes: 0 ok, 1 the gateway refused (problem details printed), 2 usage, 3 gateway unreachable.
/// </summary>
internal sealed partial class AdminCli(TextWriter stdout, TextWriter stderr)
{
    public const int Unreachable = 3;
    public const string GatewayVariable = "MCP_GATEWAY_URL";
    public const string TokenVariable = "MCP_GATEWAY_ADMIN_TOKEN";
    public const string DefaultGateway = "http://127.0.0.1:8080";

    private static readonly string[] StatusValues = ["all", "enabled", "disabled", "unhealthy"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly Option<string?> _gatewayOption = new("--gateway")
    {
        Description = $"Admin API base URL of the running gateway (default: ${GatewayVariable}, else {DefaultGateway})",
        Recursive = true,
    };

    private readonly Option<string?> _tokenOption = new("--token")
    {
        Description = $"Admin token sent as a Bearer credential (default: ${TokenVariable})",
        Recursive = true,
    };

    /// <summary>The outcome of the admin command that ran; <see cref="GatewayCommandLine.Ok"/> when none did.</summary>
    public int ExitCode { get; private set; } = GatewayCommandLine.Ok;

    public IEnumerable<Command> CreateCommands()
    {
        var servers = new Command("servers", "Manage the servers of a running gateway through its admin API")
        {
            _gatewayOption, _tokenOption, CreateList(), CreateAdd(), CreateRemove(), CreateToggle(enable: true), CreateToggle(enable: false),
        };
        var import = CreateImport();
        import.Add(_gatewayOption);
        import.Add(_tokenOption);
        return [servers, import, CreateKeys()];
    }

    private Command CreateList()
    {
        var status = new Option<string?>("--status") { Description = "all (default), enabled, disabled or unhealthy", HelpName = string.Join('|', StatusValues) };
        status.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && !StatusValues.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                result.AddError($"--status: `{value}` is not a status; use {string.Join(", ", StatusValues)}");
            }
        });
        var tag = new Option<string?>("--tag") { Description = "Only servers with this tag" };
        var search = new Option<string?>("--search") { Description = "Only servers whose name, description, command or URL contains this text" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table" };
        var list = new Command("list", "List servers: name, origin, enabled, transport, target, health, tags") { status, tag, search, json };
        list.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
        {
            var query = new List<string>();
            AddQuery(query, "status", parse.GetValue(status)?.ToLowerInvariant());
            AddQuery(query, "tag", parse.GetValue(tag));
            AddQuery(query, "q", parse.GetValue(search));
            var response = await client.GetAsync("api/v1/servers" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), cancellationToken);
            if (!response.Succeeded)
            {
                return ReportFailure(response);
            }

            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(response.Json?.ToJsonString(Indented) ?? response.Text);
                return GatewayCommandLine.Ok;
            }

            var rows = (response.Json?["servers"] as JsonArray ?? []).OfType<JsonObject>().Select(ServerRow).ToList();
            if (rows.Count == 0)
            {
                await stdout.WriteLineAsync("no servers");
                return GatewayCommandLine.Ok;
            }

            TablePrinter.Write(stdout, ["NAME", "ORIGIN", "ENABLED", "TRANSPORT", "TARGET", "HEALTH", "TAGS"], rows);
            return GatewayCommandLine.Ok;
        }, cancellationToken));
        return list;
    }

    private Command CreateAdd()
    {
        var name = new Argument<string>("NAME") { Description = "Server name (letters, digits, '-', '_')" };
        var command = new Option<string?>("--command") { Description = "Executable of a stdio server" };
        var args = new Option<string[]>("--arg") { Description = "One argument of the stdio command (repeat for more)", AllowMultipleArgumentsPerToken = false };
        var env = new Option<string[]>("--env") { Description = "K=V environment variable of the stdio command (repeat; ${VAR} references are kept)", HelpName = "K=V" };
        var cwd = new Option<string?>("--cwd") { Description = "Working directory of the stdio command" };
        var url = new Option<string?>("--url") { Description = "URL of a remote (Streamable HTTP or SSE) server" };
        var transport = new Option<string?>("--transport") { Description = "Remote transport: streamable-http or sse (default: detected)" };
        var header = new Option<string[]>("--header") { Description = "K=V HTTP header for the remote server (repeat)", HelpName = "K=V" };
        var description = new Option<string?>("--description") { Description = "What the server is for" };
        var tags = new Option<string[]>("--tag") { Description = "Label for finding the server (repeat)" };
        var disabled = new Option<bool>("--disabled") { Description = "Register it switched off" };
        var add = new Command("add", "Register a server (stored by the gateway; survives restarts)")
        {
            name, command, args, env, cwd, url, transport, header, description, tags, disabled,
        };
        add.Validators.Add(result =>
        {
            var stdio = result.GetValue(command) is not null;
            var remote = result.GetValue(url) is not null;
            if (stdio == remote)
            {
                result.AddError("give exactly one of --command (a stdio server) or --url (a remote server)");
            }
            else if (stdio && (result.GetValue(transport) is not null || result.GetValue(header) is { Length: > 0 }))
            {
                result.AddError("--transport and --header apply to --url servers only");
            }
            else if (remote && (result.GetValue(args) is { Length: > 0 } || result.GetValue(env) is { Length: > 0 } || result.GetValue(cwd) is not null))
            {
                result.AddError("--arg, --env and --cwd apply to --command servers only");
            }

            foreach (var (option, values) in new[] { (env, result.GetValue(env)), (header, result.GetValue(header)) })
            {
                foreach (var pair in values ?? [])
                {
                    if (pair.IndexOf('=', StringComparison.Ordinal) <= 0)
                    {
                        result.AddError($"{option.Name}: `{pair}` is not K=V");
                    }
                }
            }
        });
        add.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
        {
            var body = new JsonObject { ["name"] = parse.GetValue(name) };
            if (parse.GetValue(command) is { } executable)
            {
                body["command"] = executable;
                AddList(body, "args", parse.GetValue(args));
                AddPairs(body, "env", parse.GetValue(env));
                AddText(body, "cwd", parse.GetValue(cwd));
            }
            else
            {
                body["url"] = parse.GetValue(url);
                AddText(body, "transport", parse.GetValue(transport));
                AddPairs(body, "headers", parse.GetValue(header));
            }

            AddText(body, "description", parse.GetValue(description));
            AddList(body, "tags", parse.GetValue(tags));
            if (parse.GetValue(disabled))
            {
                body["enabled"] = false;
            }

            var response = await client.SendAsync(HttpMethod.Post, "api/v1/servers", body, cancellationToken);
            if (!response.Succeeded)
            {
                return ReportFailure(response);
            }

            await stdout.WriteLineAsync($"added {parse.GetValue(name)}");
            if (response.Json is JsonObject server)
            {
                TablePrinter.Write(stdout, ["NAME", "ORIGIN", "ENABLED", "TRANSPORT", "TARGET", "HEALTH", "TAGS"], [ServerRow(server)]);
            }

            return GatewayCommandLine.Ok;
        }, cancellationToken));
        return add;
    }

    private Command CreateRemove()
    {
        var name = new Argument<string>("NAME") { Description = "Server name" };
        var remove = new Command("remove", "Remove a registered server (servers from the config file are read-only here)") { name };
        remove.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
        {
            var server = parse.GetValue(name)!;
            var response = await client.SendAsync(HttpMethod.Delete, $"api/v1/servers/{Uri.EscapeDataString(server)}", null, cancellationToken);
            if (!response.Succeeded)
            {
                return ReportFailure(response);
            }

            await stdout.WriteLineAsync($"removed {server}");
            return GatewayCommandLine.Ok;
        }, cancellationToken));
        return remove;
    }

    private Command CreateToggle(bool enable)
    {
        var verb = enable ? "enable" : "disable";
        var name = new Argument<string>("NAME") { Description = "Server name" };
        var toggle = new Command(verb, enable ? "Switch a registered server on" : "Switch a registered server off: its tools leave /mcp") { name };
        toggle.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
        {
            var server = parse.GetValue(name)!;
            var response = await client.SendAsync(HttpMethod.Post, $"api/v1/servers/{Uri.EscapeDataString(server)}/{verb}", null, cancellationToken);
            if (!response.Succeeded)
            {
                return ReportFailure(response);
            }

            await stdout.WriteLineAsync($"{server}: {verb}d");
            return GatewayCommandLine.Ok;
        }, cancellationToken));
        return toggle;
    }

    private Command CreateImport()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "An MCP client config: Claude Desktop, Cursor, Cline (mcpServers) or VS Code (servers); JSONC comments allowed" };
        var import = new Command("import", "Register or update every server of an MCP client config file in one call (POST /api/v1/deploy)") { file };
        import.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var document = ReadImportDocument(path, out var problem);
            if (document is null)
            {
                await stderr.WriteLineAsync($"error: {path.FullName}: {problem}");
                ExitCode = GatewayCommandLine.Failure;
                return;
            }

            await RunAsync(parse, async client =>
            {
                var response = await client.SendAsync(HttpMethod.Post, "api/v1/deploy", document, cancellationToken);
                if (!response.Succeeded)
                {
                    return ReportFailure(response);
                }

                WriteDeployResult(response.Json);
                return GatewayCommandLine.Ok;
            }, cancellationToken);
        });
        return import;
    }

    /// <summary>
    /// The deploy body for an MCP client config: its server map (<c>mcpServers</c>, or VS Code's <c>servers</c>) and
    /// <c>virtualServers</c>. Null with <paramref name="problem"/> when the file cannot be imported as a whole.
    /// </summary>
    internal static JsonObject? ReadImportDocument(FileInfo file, out string? problem)
    {
        problem = null;
        string text;
        try
        {
            text = File.ReadAllText(file.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read: {ex.Message}";
            return null;
        }

        JsonObject? root;
        try
        {
            root = JsonNode.Parse(JsoncComments.Blank(text), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject;
        }
        catch (JsonException ex)
        {
            problem = $"not JSON: {ex.Message}";
            return null;
        }

        var servers = root?["mcpServers"] as JsonObject ?? root?["servers"] as JsonObject;
        if (root is null || servers is null)
        {
            problem = "no `mcpServers` (Claude Desktop, Cursor, Cline) or `servers` (VS Code) object found";
            return null;
        }

        // JsonNode paths look like $.servers.github.env.TOKEN; the API names fields as mcpServers.github.env.TOKEN.
        // VS Code prompts for ${input:...} values when it starts a server; a gateway runs unattended and cannot ask.
        var serversPath = servers.GetPath();
        var unresolved = FindInputReferences(servers).Select(found => "mcpServers" + found.Path[serversPath.Length..] + ": " + found.Reference).ToList();
        if (unresolved.Count > 0)
        {
            problem = "VS Code `${input:...}` values cannot be resolved by a gateway; replace them with the value or an environment reference such as `${GITHUB_TOKEN}` and import again:"
                + string.Concat(unresolved.Select(u => $"{Environment.NewLine}  {u}"));
            return null;
        }

        var document = new JsonObject { ["mcpServers"] = servers.DeepClone() };
        if (root["virtualServers"] is JsonObject views)
        {
            document["virtualServers"] = views.DeepClone();
        }

        return document;
    }

    private static IEnumerable<(string Path, string Reference)> FindInputReferences(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    foreach (var found in value is null ? [] : FindInputReferences(value))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonArray array:
                foreach (var found in array.OfType<JsonNode>().SelectMany(FindInputReferences))
                {
                    yield return found;
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text) && InputReference().Match(text) is { Success: true } match:
                yield return (node.GetPath(), match.Value);
                break;
        }
    }

    [GeneratedRegex(@"\$\{input:[^}]*\}")]
    private static partial Regex InputReference();

    private void WriteDeployResult(JsonNode? result)
    {
        foreach (var (key, label) in new[]
                 {
                     ("created", "servers created"), ("updated", "servers updated"), ("unchanged", "servers unchanged"),
                     ("createdVirtualServers", "virtual servers created"), ("updatedVirtualServers", "virtual servers updated"),
                     ("unchangedVirtualServers", "virtual servers unchanged"), ("ignoredSections", "sections ignored"),
                 })
        {
            var names = (result?[key] as JsonArray ?? []).Select(n => n?.ToString() ?? "").ToList();
            if (names.Count > 0 || key is "created" or "updated" or "unchanged")
            {
                stdout.WriteLine(names.Count == 0 ? $"{label}: 0" : $"{label}: {names.Count} ({string.Join(", ", names)})");
            }
        }
    }

    private async Task RunAsync(ParseResult parse, Func<AdminApiClient, Task<int>> call, CancellationToken cancellationToken)
    {
        var gatewayText = parse.GetValue(_gatewayOption) ?? NonEmpty(Environment.GetEnvironmentVariable(GatewayVariable)) ?? DefaultGateway;
        if (!Uri.TryCreate(gatewayText.EndsWith('/') ? gatewayText : gatewayText + "/", UriKind.Absolute, out var gateway) || gateway.Scheme is not ("http" or "https"))
        {
            await stderr.WriteLineAsync($"error: --gateway: `{gatewayText}` is not an http(s) URL");
            ExitCode = GatewayCommandLine.BadInput;
            return;
        }

        var token = parse.GetValue(_tokenOption) ?? NonEmpty(Environment.GetEnvironmentVariable(TokenVariable));
        using var client = new AdminApiClient(gateway, token);
        try
        {
            ExitCode = await call(client);
        }
        catch (GatewayUnreachableException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            await stderr.WriteLineAsync($"Is the gateway running? Point at it with --gateway URL or ${GatewayVariable}.");
            ExitCode = Unreachable;
        }
    }

    /// <summary>Prints an RFC 7807 problem: its detail, then one line per field error.</summary>
    private int ReportFailure(AdminApiResponse response)
    {
        var problem = response.Json as JsonObject;
        var detail = problem?["detail"]?.ToString() ?? problem?["title"]?.ToString();
        stderr.WriteLine(detail is null
            ? $"error: HTTP {(int)response.Status} {response.Status}{(string.IsNullOrWhiteSpace(response.Text) ? "" : ": " + response.Text.Trim())}"
            : $"error: {detail}");
        foreach (var error in (problem?["errors"] as JsonArray ?? []).OfType<JsonObject>())
        {
            stderr.WriteLine($"  {error["field"]}: {error["message"]}");
        }

        if (response.Status is HttpStatusCode.Unauthorized)
        {
            stderr.WriteLine($"Pass the admin token with --token or ${TokenVariable}.");
        }

        return GatewayCommandLine.Failure;
    }

    private static IReadOnlyList<string> ServerRow(JsonObject server)
    {
        var target = server["url"]?.ToString()
            ?? string.Join(' ', new[] { server["command"]?.ToString() }.Concat((server["args"] as JsonArray ?? []).Select(a => a?.ToString())).Where(s => !string.IsNullOrEmpty(s)));
        var state = server["state"]?.ToString();
        var health = state is not null and not "active" ? state : server["health"]?["status"]?.ToString() ?? "-";
        var tags = (server["tags"] as JsonArray ?? []).Select(t => t?.ToString()).ToList();
        return
        [
            server["name"]?.ToString() ?? "?",
            server["origin"]?.ToString() ?? "-",
            server["enabled"]?.GetValue<bool>() == false ? "no" : "yes",
            server["transport"]?.ToString() ?? "-",
            target.Length == 0 ? "-" : target,
            health,
            tags.Count == 0 ? "-" : string.Join(',', tags),
        ];
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void AddQuery(List<string> query, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add($"{key}={Uri.EscapeDataString(value)}");
        }
    }

    private static void AddText(JsonObject body, string key, string? value)
    {
        if (value is not null)
        {
            body[key] = value;
        }
    }

    private static void AddList(JsonObject body, string key, string[]? values)
    {
        if (values is { Length: > 0 })
        {
            body[key] = new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
        }
    }

    private static void AddPairs(JsonObject body, string key, string[]? pairs)
    {
        if (pairs is { Length: > 0 })
        {
            var map = new JsonObject();
            foreach (var pair in pairs)
            {
                var split = pair.IndexOf('=', StringComparison.Ordinal);
                map[pair[..split]] = pair[(split + 1)..];
            }

            body[key] = map;
        }
    }
}
