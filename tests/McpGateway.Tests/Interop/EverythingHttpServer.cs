using McpGateway.Tests.TestSupport;
using System.Net;
using System.Net.Sockets;

namespace McpGateway.Tests.Interop;

/// <summary>
/// <c>mcp-server-everything streamableHttp</c> on a free port. It binds all interfaces (it has no host option), so it
/// is only ever contacted through 127.0.0.1. Ready once it logs that it listens and accepts a TCP connection.
/// </summary>
internal sealed class EverythingHttpServer : IAsyncDisposable
{
    private const int Attempts = 3;

    private EverythingHttpServer(ChildProcess process, int port, string path)
    {
        Process = process;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}{path}");
    }

    public ChildProcess Process { get; }

    public int Port { get; }

    /// <summary>The Streamable HTTP endpoint, on loopback.</summary>
    public Uri McpUrl => Url;

    /// <summary>The endpoint to configure: <c>/mcp</c> (Streamable HTTP) or <c>/sse</c> (legacy SSE).</summary>
    public Uri Url { get; }

    /// <param name="legacySse">Run server-everything's legacy HTTP+SSE mode instead of Streamable HTTP.</param>
    public static async Task<EverythingHttpServer> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, bool legacySse = false)
    {
        // A port picked by binding :0 can be taken again before the server binds it; EADDRINUSE makes it exit, so retry.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var env = new Dictionary<string, string>(environment) { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var process = ChildProcess.Start(InteropEnvironment.Node, [InteropEnvironment.ServerEverythingEntry, legacySse ? "sse" : "streamableHttp"], InteropEnvironment.InteropDirectory, env);
            try
            {
                var ready = legacySse ? $"running on port {port}" : $"listening on port {port}";
                await process.WaitForLineAsync(l => l.Contains(ready, StringComparison.Ordinal), TimeSpan.FromSeconds(30), cancellationToken);
                await WaitUntilAcceptingAsync(port, process, cancellationToken);
                return new EverythingHttpServer(process, port, legacySse ? "/sse" : "/mcp");
            }
            catch (InvalidOperationException) when (attempt < Attempts && process.StandardError.Contains("already in use", StringComparison.Ordinal))
            {
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The log line comes from the listen callback, so one connect normally suffices; retry briefly in case it raced.</summary>
    private static async Task WaitUntilAcceptingAsync(int port, ChildProcess process, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(15));
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                return;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
