using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace McpGateway.Bench;

/// <summary>
/// The upstream MCP servers of the comparative run, each started by the bench as a child process of its own:
/// <c>echo-http</c> (Streamable HTTP, <see cref="FakeUpstreams"/>) and <c>echo-stdio</c> (line-delimited JSON-RPC on
/// stdin/stdout). Both answer from <see cref="EchoAnswers"/>.
/// </summary>
internal static class EchoServers
{
    /// <summary>The line <c>echo-http</c> prints once it listens; the bench reads the address from it.</summary>
    public const string ListeningPrefix = "echo-http listening on ";

    /// <summary><c>echo-http [--port N] [--servers N] [--tools N]</c>: serves until SIGTERM/SIGINT or stdin closes.</summary>
    public static async Task<int> RunHttpAsync(string[] args)
    {
        var port = 0;
        var servers = 50;
        var tools = 20;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--port": port = value; break;
                case "--servers": servers = value; break;
                case "--tools": tools = value; break;
                default:
                    await Console.Error.WriteLineAsync($"echo-http: unknown option {args[i]}");
                    return 2;
            }
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        await using var upstreams = await FakeUpstreams.StartAsync(servers, tools, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Console.Out.WriteLine(ListeningPrefix + upstreams.BaseUrl);
        Console.Out.Flush();

        // The parent holds our stdin open; when it goes away (even killed), stdin ends and so do we.
        _ = Task.Run(async () =>
        {
            await Console.OpenStandardInput().CopyToAsync(Stream.Null);
            stop.TrySetResult();
        });
        await stop.Task;
        return 0;
    }

    /// <summary>
    /// <c>echo-stdio</c>: one JSON-RPC message per line on stdin, answers on stdout, in order. Every complete line in
    /// a read is answered before one write and flush, so a client that pipelines requests gets batched writes.
    /// </summary>
    public static async Task<int> RunStdioAsync()
    {
        var answers = new EchoAnswers(1, 20);
        var input = PipeReader.Create(Console.OpenStandardInput(), new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        await using var stdout = Console.OpenStandardOutput();
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        while (true)
        {
            var read = await input.ReadAsync();
            var buffer = read.Buffer;
            while (TryReadLine(ref buffer, out var line))
            {
                if (line.Length > 0)
                {
                    AnswerLine(answers, line, output);
                }
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (output.WrittenCount > 0)
            {
                await stdout.WriteAsync(output.WrittenMemory);
                await stdout.FlushAsync();
                output.ResetWrittenCount();
            }

            if (read.IsCompleted)
            {
                return 0;
            }
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static void AnswerLine(EchoAnswers answers, ReadOnlySequence<byte> line, ArrayBufferWriter<byte> output)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return; // not JSON: nothing to answer (a real server would say -32700; the bench never sends it)
        }

        using var _ = document;
        var message = document.RootElement;
        if (!message.TryGetProperty("id"u8, out var id) || !message.TryGetProperty("method"u8, out var method))
        {
            return; // notifications and responses get no answer
        }

        answers.Write(0, method.GetString() ?? string.Empty, id, message, output);
        output.Write("\n"u8);
    }
}
