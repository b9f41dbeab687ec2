using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Demo;

/// <summary>
/// <c>mcp-gateway demo-server</c>: a small stdio MCP server so the example config works with nothing but the .NET SDK.
/// Tools <c>echo</c>, <c>add</c>, <c>echo_params</c>; prompt <c>greeting</c>; resource <c>demo://readme</c>.
/// With <c>MCP_DEMO_TEST_TOOLS=1</c> it also offers the tools the gateway's tests drive: <c>crash</c>, <c>hang</c>,
/// <c>sample</c>, <c>progress</c>, <c>env</c>, <c>spawn_child</c>, <c>pid</c>.
/// </summary>
internal sealed class DemoServer
{
    private static readonly string[] AllVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    private readonly TextReader _input;
    private readonly Stream _output;
    private readonly bool _testTools;
    private readonly string[] _versions;
    private readonly bool _modernOnly;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<string, TaskCompletionSource<JsonNode?>> _waiting = [];
    private readonly HashSet<Task> _handlers = [];
    private readonly List<string> _cancelled = [];
    private readonly Dictionary<string, TaskCompletionSource> _gates = [];
    private readonly List<string> _subscriptions = [];
    private readonly List<string> _levels = [];
    private int _nextId;

    private DemoServer(TextReader input, Stream output, bool testTools)
    {
        _input = input;
        _output = output;
        _testTools = testTools;

        // Test knobs: MCP_DEMO_VERSIONS narrows the stateful revisions answered; MCP_DEMO_MODERN_ONLY=1 speaks only 2026-07-28.
        _versions = Environment.GetEnvironmentVariable("MCP_DEMO_VERSIONS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? AllVersions;
        _modernOnly = Environment.GetEnvironmentVariable("MCP_DEMO_MODERN_ONLY") == "1";
    }

    public static async Task<int> RunAsync()
    {
        // Test knob: a server that is "down" from the moment this file exists.
        if (Environment.GetEnvironmentVariable("MCP_DEMO_EXIT_IF_FILE") is { Length: > 0 } marker && File.Exists(marker))
        {
            await Console.Error.WriteLineAsync($"demo server refusing to start: {marker} exists");
            return 4;
        }

        var server = new DemoServer(new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false)), Console.OpenStandardOutput(),
            Environment.GetEnvironmentVariable("MCP_DEMO_TEST_TOOLS") == "1");
        await server.LoopAsync();
        return 0;
    }

    private async Task LoopAsync()
    {
        await Console.Error.WriteLineAsync($"demo server ready (pid {Environment.ProcessId})");
        while (await _input.ReadLineAsync() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonObject? message;
            try
            {
                message = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                await WriteAsync(Error(null, -32700, "Parse error"));
                continue;
            }

            if (message is null)
            {
                continue;
            }

            var id = message["id"];
            var method = (string?)message["method"];
            if (method is null)
            {
                // An answer to one of our requests (sampling).
                lock (_waiting)
                {
                    if (id is not null && _waiting.Remove(id.ToJsonString(), out var waiter))
                    {
                        waiter.TrySetResult(message["result"] ?? message["error"]);
                    }
                }

                continue;
            }

            if (id is null)
            {
                if (method == "notifications/cancelled")
                {
                    lock (_cancelled)
                    {
                        _cancelled.Add(message["params"]?["requestId"]?.ToJsonString() ?? "?");
                    }
                }

                continue;
            }

            // Each request runs on its own so a slow tool does not block others (or the answers they wait for).
            var handling = Task.Run(() => HandleAsync(id.DeepClone(), method, message["params"] as JsonObject ?? []));
            lock (_handlers)
            {
                _handlers.RemoveWhere(t => t.IsCompleted);
                _handlers.Add(handling);
            }
        }

        // stdin closed: finish what was asked (but not tools that never end) before exiting.
        Task[] pending;
        lock (_handlers)
        {
            pending = [.. _handlers];
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task HandleAsync(JsonNode id, string method, JsonObject parameters)
    {
        try
        {
            if (_modernOnly && ModernRefusal(method, parameters) is { } refusal)
            {
                await WriteAsync(Error(id, -32022, refusal, new JsonObject { ["supported"] = new JsonArray("2026-07-28") }));
                return;
            }

            var result = await DispatchAsync(method, parameters);
            if (_modernOnly && result is JsonObject modernResult)
            {
                modernResult["resultType"] = "complete";
            }

            await WriteAsync(result is null
                ? Error(id, -32601, $"Method not found: {method}")
                : new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result });
        }
        catch (ArgumentException ex)
        {
            await WriteAsync(Error(id, -32602, ex.Message));
        }
        catch (Exception ex)
        {
            await WriteAsync(Error(id, -32603, $"{ex.GetType().Name}: {ex.Message}"));
        }
    }

    /// <summary>A modern-only server refuses initialize and any request that does not carry its revision in _meta.</summary>
    private static string? ModernRefusal(string method, JsonObject parameters)
    {
        if (method == "initialize")
        {
            return "This server speaks only 2026-07-28; use server/discover and per-request _meta";
        }

        var version = (string?)parameters["_meta"]?["io.modelcontextprotocol/protocolVersion"];
        return version == "2026-07-28" ? null : $"Unsupported protocol version '{version ?? "<missing>"}'";
    }

    private static JsonObject Capabilities() => new()
    {
        ["tools"] = new JsonObject(),
        ["prompts"] = new JsonObject(),
        ["resources"] = new JsonObject { ["subscribe"] = true },
        ["logging"] = new JsonObject(),
        ["completions"] = new JsonObject(),
    };

    /// <summary>Test knob: a running server also goes down (exits) at the first ping after <c>MCP_DEMO_EXIT_IF_FILE</c> appears.</summary>
    private static JsonObject Ping()
    {
        if (Environment.GetEnvironmentVariable("MCP_DEMO_EXIT_IF_FILE") is { Length: > 0 } marker && File.Exists(marker))
        {
            Environment.Exit(4);
        }

        return new JsonObject();
    }

    private async Task<JsonNode?> DispatchAsync(string method, JsonObject parameters) => method switch
    {
        "initialize" => new JsonObject
        {
            ["protocolVersion"] = _versions.Contains((string?)parameters["protocolVersion"]) ? (string?)parameters["protocolVersion"] : _versions[^1],
            ["capabilities"] = Capabilities(),
            ["serverInfo"] = new JsonObject { ["name"] = "mcp-gateway-demo", ["version"] = "1.0.0" },
            ["instructions"] = "A demo server bundled with McpGateway.",
        },
        "server/discover" when _modernOnly => new JsonObject
        {
            ["supportedVersions"] = new JsonArray("2026-07-28"),
            ["capabilities"] = Capabilities(),
            ["_meta"] = new JsonObject { ["io.modelcontextprotocol/serverInfo"] = new JsonObject { ["name"] = "mcp-gateway-demo-modern", ["version"] = "1.0.0" } },
        },
        "ping" => Ping(),
        "tools/list" => new JsonObject { ["tools"] = ListTools() },
        "tools/call" => await CallToolAsync((string?)parameters["name"] ?? "", parameters["arguments"] as JsonObject ?? [], parameters["_meta"]),
        "prompts/list" => new JsonObject
        {
            ["prompts"] = new JsonArray(new JsonObject
            {
                ["name"] = "greeting",
                ["description"] = "Greets someone",
                ["arguments"] = new JsonArray(new JsonObject { ["name"] = "name", ["required"] = true }),
            }),
        },
        "prompts/get" => new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonObject { ["type"] = "text", ["text"] = $"Hello, {(string?)parameters["arguments"]?["name"] ?? "world"}!" },
            }),
        },
        "resources/list" => new JsonObject
        {
            ["resources"] = new JsonArray(new JsonObject { ["uri"] = "demo://readme", ["name"] = "readme", ["mimeType"] = "text/plain" }),
        },
        "resources/templates/list" => new JsonObject
        {
            ["resourceTemplates"] = new JsonArray(new JsonObject { ["uriTemplate"] = "demo://item/{id}", ["name"] = "item", ["mimeType"] = "text/plain" }),
        },
        "resources/read" => ReadResource((string?)parameters["uri"] ?? ""),
        "resources/subscribe" => Record(_subscriptions, (string?)parameters["uri"] ?? ""),
        "resources/unsubscribe" => Record(_subscriptions, "-" + (string?)parameters["uri"]),
        "logging/setLevel" => Record(_levels, (string?)parameters["level"] ?? ""),
        "completion/complete" => new JsonObject
        {
            // Says what it was asked and who answered, so routing can be checked from outside.
            ["completion"] = new JsonObject
            {
                ["values"] = new JsonArray(
                    JsonValue.Create((string?)parameters["ref"]?["name"] ?? (string?)parameters["ref"]?["uri"] ?? ""),
                    JsonValue.Create(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            },
        },
        _ => null,
    };

    private static JsonObject ReadResource(string uri)
    {
        var text = uri == "demo://readme" ? "McpGateway demo resource"
            : uri.StartsWith("demo://item/", StringComparison.Ordinal) ? $"item {uri["demo://item/".Length..]}"
            : throw new ArgumentException($"Unknown resource {uri}");
        return new JsonObject { ["contents"] = new JsonArray(new JsonObject { ["uri"] = uri, ["mimeType"] = "text/plain", ["text"] = text }) };
    }

    private static JsonObject Record(List<string> log, string entry)
    {
        lock (log)
        {
            log.Add(entry);
        }

        return new JsonObject();
    }

    private static JsonObject Recorded(List<string> log)
    {
        var list = new JsonArray();
        lock (log)
        {
            foreach (var entry in log)
            {
                list.Add(JsonValue.Create(entry));
            }
        }

        var result = Text(string.Join(",", list.Select(e => (string?)e)));
        result["structuredContent"] = new JsonObject { ["entries"] = list };
        return result;
    }

    private JsonArray ListTools()
    {
        var tools = new JsonArray
        {
            Tool("echo", "Returns the message", ("message", "string")),
            Tool("add", "Adds two numbers", ("a", "number"), ("b", "number")),
            Tool("echo_params", "Returns the raw params it received, unknown fields included"),
        };
        if (_testTools)
        {
            tools.Add(Tool("crash", "Exits the process at once"));
            tools.Add(Tool("hang", "Never answers"));
            tools.Add(Tool("sample", "Asks the client for a sampling completion", ("prompt", "string")));
            tools.Add(Optional(Tool("progress", "Sends progress notifications (delayMs apart), then answers", ("steps", "number"), ("delayMs", "number")), "delayMs"));
            tools.Add(Tool("env", "Returns an environment variable", ("name", "string")));
            tools.Add(Tool("spawn_child", "Starts a long-running child process and returns its pid"));
            tools.Add(Tool("pid", "Returns this process id"));
            tools.Add(Tool("log", "Sends a notifications/message outside any request", ("text", "string")));
            tools.Add(Tool("meta", "Returns the _meta of the call"));
            tools.Add(Tool("cancellations", "Returns the request ids named by notifications/cancelled so far"));
            tools.Add(Tool("subscriptions", "Returns the resources/subscribe and unsubscribe calls received"));
            tools.Add(Tool("log_levels", "Returns the logging/setLevel levels received"));
            tools.Add(Tool("announce_list_changed", "Sends notifications/tools/list_changed"));
            tools.Add(Tool("sample_then_cancel", "Asks the client for sampling, then withdraws the request"));
            tools.Add(Tool("wait_for", "Answers once `release` is called with the same key", ("key", "string")));
            tools.Add(Tool("release", "Lets a waiting `wait_for` answer", ("key", "string")));
        }

        return tools;
    }

    private async Task<JsonNode> CallToolAsync(string name, JsonObject arguments, JsonNode? meta)
    {
        var progressToken = meta?["progressToken"];
        switch (name)
        {
            case "echo":
                return Text((string?)arguments["message"] ?? "");
            case "add":
                return Text(((double)(arguments["a"] ?? 0) + (double)(arguments["b"] ?? 0)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "echo_params":
                var result = Text("params");
                result["structuredContent"] = arguments.DeepClone();
                return result;
        }

        if (!_testTools)
        {
            throw new ArgumentException($"Unknown tool: {name}");
        }

        switch (name)
        {
            case "crash":
                Environment.Exit(3);
                return Text("unreachable");
            case "hang":
                if (progressToken is not null)
                {
                    // Tells a test the call has reached the server.
                    await WriteAsync(new JsonObject
                    {
                        ["jsonrpc"] = "2.0",
                        ["method"] = "notifications/progress",
                        ["params"] = new JsonObject { ["progressToken"] = progressToken.DeepClone(), ["progress"] = 0 },
                    });
                }

                await Task.Delay(Timeout.Infinite);
                return Text("unreachable");
            case "sample":
                var answer = await RequestAsync("sampling/createMessage", new JsonObject
                {
                    ["messages"] = new JsonArray(new JsonObject
                    {
                        ["role"] = "user",
                        ["content"] = new JsonObject { ["type"] = "text", ["text"] = (string?)arguments["prompt"] ?? "" },
                    }),
                    ["maxTokens"] = 100,
                });
                return Text($"sampled: {(string?)answer?["content"]?["text"] ?? answer?.ToJsonString()}");
            case "progress":
                var steps = (int)(arguments["steps"] ?? 3);
                var delay = TimeSpan.FromMilliseconds((int)(arguments["delayMs"] ?? 0));
                for (var i = 1; i <= steps && progressToken is not null; i++)
                {
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay);
                    }

                    await WriteAsync(new JsonObject
                    {
                        ["jsonrpc"] = "2.0",
                        ["method"] = "notifications/progress",
                        ["params"] = new JsonObject { ["progressToken"] = progressToken.DeepClone(), ["progress"] = i, ["total"] = steps },
                    });
                }

                return Text($"done after {steps} steps");
            case "env":
                return Text(Environment.GetEnvironmentVariable((string?)arguments["name"] ?? "") ?? "<unset>");
            case "spawn_child":
                var child = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
                return Text(child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "log":
                await WriteAsync(new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["method"] = "notifications/message",
                    ["params"] = new JsonObject { ["level"] = "info", ["logger"] = "demo", ["data"] = (string?)arguments["text"] ?? "" },
                });
                return Text("logged");
            case "meta":
                var metaResult = Text("meta");
                metaResult["structuredContent"] = meta?.DeepClone() ?? new JsonObject();
                return metaResult;
            case "subscriptions":
                return Recorded(_subscriptions);
            case "log_levels":
                return Recorded(_levels);
            case "announce_list_changed":
                await WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/tools/list_changed" });
                return Text("announced");
            case "sample_then_cancel":
                var withdrawnId = $"demo-{Interlocked.Increment(ref _nextId)}";
                await WriteAsync(new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = withdrawnId,
                    ["method"] = "sampling/createMessage",
                    ["params"] = new JsonObject { ["messages"] = new JsonArray(), ["maxTokens"] = 1 },
                });
                await WriteAsync(new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["method"] = "notifications/cancelled",
                    ["params"] = new JsonObject { ["requestId"] = withdrawnId, ["reason"] = "changed my mind" },
                });
                return Text("withdrawn");
            case "wait_for":
                var gate = Gate((string?)arguments["key"] ?? "");
                if (progressToken is not null)
                {
                    await WriteAsync(new JsonObject
                    {
                        ["jsonrpc"] = "2.0",
                        ["method"] = "notifications/progress",
                        ["params"] = new JsonObject { ["progressToken"] = progressToken.DeepClone(), ["progress"] = 0, ["message"] = "waiting" },
                    });
                }

                await gate.Task;
                return Text("released");
            case "release":
                Gate((string?)arguments["key"] ?? "").TrySetResult();
                return Text("ok");
            case "cancellations":
                string[] cancelled;
                lock (_cancelled)
                {
                    cancelled = [.. _cancelled];
                }

                var list = new JsonArray();
                foreach (var c in cancelled)
                {
                    list.Add(JsonValue.Create(c));
                }

                var cancellationsResult = Text(cancelled.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
                cancellationsResult["structuredContent"] = new JsonObject { ["requestIds"] = list };
                return cancellationsResult;
            case "pid":
                return Text(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default:
                throw new ArgumentException($"Unknown tool: {name}");
        }
    }

    private TaskCompletionSource Gate(string key)
    {
        lock (_gates)
        {
            if (!_gates.TryGetValue(key, out var gate))
            {
                gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _gates[key] = gate;
            }

            return gate;
        }
    }

    private async Task<JsonNode?> RequestAsync(string method, JsonObject parameters)
    {
        var id = $"demo-{Interlocked.Increment(ref _nextId)}";
        var waiter = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting)
        {
            _waiting[JsonValue.Create(id).ToJsonString()] = waiter;
        }

        await WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        return await waiter.Task;
    }

    private static JsonObject Tool(string name, string description, params (string Name, string Type)[] properties)
    {
        var props = new JsonObject();
        var required = new JsonArray();
        foreach (var (propertyName, type) in properties)
        {
            props[propertyName] = new JsonObject { ["type"] = type };
            required.Add(JsonValue.Create(propertyName));
        }

        return new JsonObject
        {
            ["name"] = name,
            ["description"] = description,
            ["inputSchema"] = new JsonObject { ["type"] = "object", ["properties"] = props, ["required"] = required },
        };
    }

    private static JsonObject Optional(JsonObject tool, string property)
    {
        var required = (JsonArray)tool["inputSchema"]!["required"]!;
        required.Remove(required.First(item => (string?)item == property));
        return tool;
    }

    private static JsonObject Text(string text) => new()
    {
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
    };

    private static JsonObject Error(JsonNode? id, int code, string message, JsonNode? data = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null)
        {
            error["data"] = data;
        }

        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["error"] = error };
    }

    private async Task WriteAsync(JsonObject message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
        await _writeLock.WaitAsync();
        try
        {
            await _output.WriteAsync(bytes);
            await _output.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
