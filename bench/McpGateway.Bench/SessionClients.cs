using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>One MCP client session of the bench, whatever the transport.</summary>
internal interface IBenchSession
{
    string Endpoint { get; }

    /// <summary>Opens the session: <c>initialize</c>, then <c>notifications/initialized</c>.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends a request and returns the JSON-RPC response; a JSON-RPC error throws.</summary>
    Task<JsonDocument> RequestAsync(string method, string? parametersJson, CancellationToken cancellationToken = default);

    /// <summary>Ends the session (DELETE, closing the SSE stream, or ending the child process).</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);
}

/// <summary>The operations every workload runs, written once for every transport.</summary>
internal static class BenchSessions
{
    public static string InitializeParameters(string protocolVersion) =>
        $$$"""{"protocolVersion":"{{{protocolVersion}}}","capabilities":{},"clientInfo":{"name":"mcp-gateway-bench","version":"1.0.0"}}""";

    public static string RequestBody(long id, string method, string? parametersJson) => parametersJson is null
        ? $$"""{"jsonrpc":"2.0","id":{{id.ToString(CultureInfo.InvariantCulture)}},"method":"{{method}}"}"""
        : $$"""{"jsonrpc":"2.0","id":{{id.ToString(CultureInfo.InvariantCulture)}},"method":"{{method}}","params":{{parametersJson}}}""";

    public static async Task InitializeWithAsync(IBenchSession session, string protocolVersion, Func<CancellationToken, Task> notifyInitialized, CancellationToken cancellationToken)
    {
        using (var answer = await session.RequestAsync("initialize", InitializeParameters(protocolVersion), cancellationToken))
        {
            var version = answer.RootElement.GetProperty("result"u8).GetProperty("protocolVersion"u8).GetString();
            if (version != protocolVersion)
            {
                throw new InvalidOperationException($"{session.Endpoint}: asked for protocol {protocolVersion}, got {version}");
            }
        }

        await notifyInitialized(cancellationToken);
    }

    public static async Task CallEchoAsync(this IBenchSession session, string tool, string message, CancellationToken cancellationToken = default)
    {
        using var answer = await session.RequestAsync("tools/call", $$$"""{"name":"{{{tool}}}","arguments":{"message":"{{{message}}}"}}""", cancellationToken);
        var text = answer.RootElement.GetProperty("result"u8).GetProperty("content"u8)[0].GetProperty("text"u8).GetString();
        if (text != message)
        {
            throw new InvalidOperationException($"{session.Endpoint}: {tool} echoed '{text}' instead of '{message}'");
        }
    }

    /// <summary>Drains <c>tools/list</c> across every page; returns the tool names.</summary>
    public static async Task<List<string>> ListToolNamesAsync(this IBenchSession session, CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        string? cursor = null;
        do
        {
            using var answer = await session.RequestAsync("tools/list", cursor is null ? "{}" : $$"""{"cursor":"{{cursor}}"}""", cancellationToken);
            var result = answer.RootElement.GetProperty("result"u8);
            foreach (var tool in result.GetProperty("tools"u8).EnumerateArray())
            {
                names.Add(tool.GetProperty("name"u8).GetString() ?? string.Empty);
            }

            cursor = result.TryGetProperty("nextCursor"u8, out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (!string.IsNullOrEmpty(cursor));

        return names;
    }

    /// <summary>Drains <c>tools/list</c> across every page; returns the number of tools.</summary>
    public static async Task<int> CountToolsAsync(this IBenchSession session, CancellationToken cancellationToken = default)
    {
        var tools = 0;
        string? cursor = null;
        do
        {
            using var answer = await session.RequestAsync("tools/list", cursor is null ? "{}" : $$"""{"cursor":"{{cursor}}"}""", cancellationToken);
            var result = answer.RootElement.GetProperty("result"u8);
            tools += result.GetProperty("tools"u8).GetArrayLength();
            cursor = result.TryGetProperty("nextCursor"u8, out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (!string.IsNullOrEmpty(cursor));

        return tools;
    }
}

/// <summary>Requests waiting for their response, by JSON-RPC id (for transports whose answers arrive on a separate stream).</summary>
internal sealed class PendingRequests
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonDocument>> _waiting = new();
    private long _nextId;
    private Exception? _failed;

    public (long Id, Task<JsonDocument> Answer) Register()
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonDocument>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        if (_failed is not null)
        {
            answer.TrySetException(_failed);
        }

        return (id, answer.Task);
    }

    public void Forget(long id) => _waiting.TryRemove(id, out _);

    /// <summary>Hands a message to the request it answers; anything else (notifications, requests) is dropped.</summary>
    public void Complete(JsonDocument message)
    {
        if (message.RootElement.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.Number &&
            _waiting.TryRemove(id.GetInt64(), out var waiting) &&
            (message.RootElement.TryGetProperty("result"u8, out _) || message.RootElement.TryGetProperty("error"u8, out _)))
        {
            waiting.TrySetResult(message);
            return;
        }

        message.Dispose();
    }

    public void FailAll(Exception reason)
    {
        _failed = reason;
        foreach (var id in _waiting.Keys)
        {
            if (_waiting.TryRemove(id, out var waiting))
            {
                waiting.TrySetException(reason);
            }
        }
    }

    public static JsonDocument ThrowOnError(JsonDocument answer, string endpoint, string method)
    {
        if (answer.RootElement.TryGetProperty("error"u8, out var error))
        {
            var text = error.GetRawText();
            answer.Dispose();
            throw new InvalidOperationException($"{endpoint} {method}: JSON-RPC error {text}");
        }

        return answer;
    }
}

/// <summary>
/// Direct stdio: starts its own <c>echo-stdio</c> child (one per session, as the gateway and the peers do) and
/// pipelines requests to it, one per line, matching answers by id.
/// </summary>
internal sealed class StdioBenchClient(string file, IReadOnlyList<string> args, string protocolVersion) : IBenchSession
{
    private readonly PendingRequests _pending = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private BenchProcess? _process;
    private Task? _reading;

    public string Endpoint => $"stdio:{Path.GetFileName(file)} {string.Join(' ', args)}";

    public int? ProcessId => _process?.Id;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        _process = BenchProcess.Start("echo-stdio (direct)", file, args, drainOutput: false);
        _reading = Task.Run(() => ReadLoopAsync(_process.Output), CancellationToken.None);
        await BenchSessions.InitializeWithAsync(this, protocolVersion, ct => WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", ct), cancellationToken);
    }

    public async Task<JsonDocument> RequestAsync(string method, string? parametersJson, CancellationToken cancellationToken = default)
    {
        var (id, answer) = _pending.Register();
        try
        {
            await WriteLineAsync(BenchSessions.RequestBody(id, method, parametersJson), cancellationToken);
            return PendingRequests.ThrowOnError(await answer.WaitAsync(cancellationToken), Endpoint, method);
        }
        finally
        {
            _pending.Forget(id);
        }
    }

    private async Task WriteLineAsync(string json, CancellationToken cancellationToken)
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        var bytes = Encoding.UTF8.GetBytes(json + "\n");
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await process.Input.WriteAsync(bytes, cancellationToken);
            await process.Input.FlushAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task ReadLoopAsync(Stream output)
    {
        var reader = PipeReader.Create(output);
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                var buffer = read.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    var line = buffer.Slice(0, newline);
                    if (line.Length > 0)
                    {
                        _pending.Complete(JsonDocument.Parse(line));
                    }

                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            _pending.FailAll(new InvalidOperationException($"{Endpoint}: the server closed its stdout"));
        }
        catch (Exception ex) when (ex is IOException or JsonException or ObjectDisposedException)
        {
            _pending.FailAll(new InvalidOperationException($"{Endpoint}: {ex.Message}", ex));
        }
    }

    /// <summary>Closes stdin (the server exits at end of input) and waits for the child to go.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        await process.Input.DisposeAsync();
        if (_reading is not null)
        {
            await _reading.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await process.StopAsync(TimeSpan.FromSeconds(2));
    }
}

/// <summary>
/// The legacy HTTP+SSE transport (2024-11-05), for mcp-hub: GET opens the event stream, whose first event names the
/// URL to POST messages to; answers come back as <c>message</c> events on the stream.
/// </summary>
internal sealed class SseBenchClient(HttpClient http, string endpoint, string protocolVersion) : IBenchSession
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly PendingRequests _pending = new();
    private readonly TaskCompletionSource<Uri> _postUri = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stream;
    private Task? _reading;

    public string Endpoint => endpoint;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        _stream = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint) { Version = System.Net.HttpVersion.Version11 };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new InvalidOperationException($"{endpoint}: GET answered HTTP {status}");
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        _reading = Task.Run(() => ReadEventsAsync(response, body, _stream.Token), CancellationToken.None);
        await _postUri.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await BenchSessions.InitializeWithAsync(this, protocolVersion, ct => PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", ct), cancellationToken);
    }

    public async Task<JsonDocument> RequestAsync(string method, string? parametersJson, CancellationToken cancellationToken = default)
    {
        var (id, answer) = _pending.Register();
        try
        {
            await PostAsync(BenchSessions.RequestBody(id, method, parametersJson), cancellationToken);
            return PendingRequests.ThrowOnError(await answer.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken), Endpoint, method);
        }
        finally
        {
            _pending.Forget(id);
        }
    }

    private async Task PostAsync(string json, CancellationToken cancellationToken)
    {
        var uri = await _postUri.Task;
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = System.Net.HttpVersion.Version11 };
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        request.Content.Headers.ContentType = JsonContentType;
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{uri}: POST answered HTTP {(int)response.StatusCode}");
        }
    }

    private async Task ReadEventsAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        try
        {
            using (response)
            using (var reader = new StreamReader(body, Encoding.UTF8))
            {
                var name = "message";
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (data.Length > 0)
                        {
                            OnEvent(name, data.ToString());
                        }

                        name = "message";
                        data.Clear();
                    }
                    else if (line.StartsWith("event:", StringComparison.Ordinal))
                    {
                        name = line[6..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
                    }
                }
            }

            _pending.FailAll(new InvalidOperationException($"{endpoint}: the event stream ended"));
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException or JsonException)
        {
            _pending.FailAll(new InvalidOperationException($"{endpoint}: event stream: {ex.Message}", ex));
            _postUri.TrySetException(ex);
        }
    }

    private void OnEvent(string name, string data)
    {
        if (name == "endpoint")
        {
            _postUri.TrySetResult(new Uri(new Uri(endpoint), data));
        }
        else if (name == "message")
        {
            _pending.Complete(JsonDocument.Parse(data));
        }
    }

    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_stream is null)
        {
            return;
        }

        await _stream.CancelAsync();
        if (_reading is not null)
        {
            await _reading.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stream.Dispose();
        _stream = null;
    }
}
