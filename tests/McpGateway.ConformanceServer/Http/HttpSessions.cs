using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using ModelContextProtocol.Server;

namespace McpGateway.ConformanceServer.Http;

/// <summary>One <c>Mcp-Session-Id</c>: its transport, its server and the task running that server.</summary>
internal sealed class HttpSession(string id, StreamableHttpServerTransport transport, McpServer server, TimeProvider time) : IAsyncDisposable
{
    private readonly CancellationTokenSource _closed = new();
    private int _getStreamStarted;
    private int _activeRequests;
    private int _disposed;

    public string Id => id;
    public StreamableHttpServerTransport Transport => transport;
    public McpServer Server => server;
    public Task RunTask { get; private set; } = Task.CompletedTask;
    public long LastActivity { get; private set; } = time.GetTimestamp();
    public bool IsIdle => Volatile.Read(ref _activeRequests) == 0;

    public void Start() => RunTask = server.RunAsync(_closed.Token);

    /// <summary>Only one standalone GET stream per session; later GETs must resume with Last-Event-ID.</summary>
    public bool TryStartGetStream() => Interlocked.Exchange(ref _getStreamStarted, 1) == 0;

    /// <summary>Marks a request in flight until the returned handle is disposed (idle sessions can be reaped).</summary>
    public RequestScope BeginRequest()
    {
        Interlocked.Increment(ref _activeRequests);
        LastActivity = time.GetTimestamp();
        return new RequestScope(this);
    }

    public TimeSpan IdleFor() => time.GetElapsedTime(LastActivity);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            // Transport first: it completes the incoming channel so RunAsync ends without an exception.
            await transport.DisposeAsync();
            await _closed.CancelAsync();
            await RunTask;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await server.DisposeAsync();
            _closed.Dispose();
        }
    }

    internal readonly struct RequestScope(HttpSession session) : IDisposable
    {
        public void Dispose()
        {
            session.LastActivity = session.Now();
            Interlocked.Decrement(ref session._activeRequests);
        }
    }

    private long Now() => time.GetTimestamp();
}

/// <summary>The live sessions of the HTTP endpoint; closes them on DELETE, when idle too long, and at shutdown.</summary>
internal sealed class HttpSessionStore(InMemorySseEventStreamStore eventStore, ConformanceResources resources) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, HttpSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public static string NewSessionId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return WebEncoders.Base64UrlEncode(bytes);
    }

    public void Add(HttpSession session)
    {
        if (!_sessions.TryAdd(session.Id, session))
        {
            throw new InvalidOperationException($"Duplicate session id '{session.Id}'.");
        }
    }

    public bool TryGet(string id, out HttpSession session) => _sessions.TryGetValue(id, out session!);

    public async ValueTask<bool> CloseAsync(string id)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return false;
        }

        await session.DisposeAsync();
        eventStore.RemoveSession(id);
        resources.Forget(id);
        return true;
    }

    public async Task CloseIdleAsync(TimeSpan idleTimeout)
    {
        foreach (var (id, session) in _sessions)
        {
            if (session.IsIdle && session.IdleFor() > idleTimeout)
            {
                await CloseAsync(id);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _sessions.Keys)
        {
            await CloseAsync(id);
        }
    }
}

/// <summary>Reaps sessions nobody used for a while (clients that never send DELETE).</summary>
internal sealed class IdleSessionReaper(HttpSessionStore sessions, TimeSpan idleTimeout) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(idleTimeout.TotalSeconds / 4, 1, 60)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await sessions.CloseIdleAsync(idleTimeout);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
