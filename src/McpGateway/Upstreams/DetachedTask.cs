namespace McpGateway.Upstreams;

/// <summary>Starts work that outlives the request that caused it (receive loops, watchers).</summary>
/// <remarks>
/// Without suppressing the execution context such a loop keeps the first request's span and logging scope for its whole
/// life: every later log line would carry that request's trace id and every span would be parented to it.
/// </remarks>
internal static class DetachedTask
{
    public static Task Run(Func<Task> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }

    /// <summary>Runs <paramref name="start"/> (which may start threads, timers or process readers) without the caller's context.</summary>
    public static T Start<T>(Func<T> start)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return start();
        }
    }
}
