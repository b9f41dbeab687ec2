using System.Runtime.ExceptionServices;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.Interop;

/// <summary>
/// Runs a test body against a real gateway, then tears everything down in order (gateway, upstream process) and checks
/// that no tagged process survived. Every failure is reported: one in teardown never hides one in the body.
/// </summary>
internal static class InteropGateway
{
    public static Uri SseUrl(GatewayHarness gateway, string server) => new(gateway.BaseAddress, $"servers/{server}/sse");

    public static async Task RunAsync(string yaml, ProcessLeakCheck leaks, EverythingHttpServer? upstream, Func<GatewayHarness, Task> body)
    {
        var failures = new List<Exception>();
        GatewayHarness? gateway = null;
        try
        {
            gateway = await GatewayHarness.StartAsync(yaml);
            await body(gateway);
            ShouldHaveLoggedNoErrors(gateway);
        }
        catch (Exception ex)
        {
            failures.Add(ex);
        }

        await TearDownAsync(gateway, upstream, leaks, failures);
        ThrowAll(failures);
    }

    /// <summary>Disposes the gateway, then the upstream, then checks for surviving processes; adds what fails to <paramref name="failures"/>.</summary>
    public static async Task TearDownAsync(GatewayHarness? gateway, IAsyncDisposable? upstream, ProcessLeakCheck leaks, List<Exception> failures)
    {
        if (gateway is not null)
        {
            try
            {
                await gateway.DisposeAsync();
            }
            catch (Exception ex)
            {
                failures.Add(new InvalidOperationException($"Disposing the gateway threw {ex.GetType().Name}: {ex.Message}", ex));
            }
        }

        if (upstream is not null)
        {
            await upstream.DisposeAsync();
        }

        try
        {
            await leaks.AssertNoneLeftAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex)
        {
            failures.Add(ex);
        }
    }

    /// <summary>Rethrows one failure as it was, several as one <see cref="AggregateException"/>.</summary>
    public static void ThrowAll(List<Exception> failures)
    {
        if (failures.Count == 1)
        {
            ExceptionDispatchInfo.Throw(failures[0]);
        }

        if (failures.Count > 1)
        {
            throw new AggregateException(failures);
        }
    }

    private static void ShouldHaveLoggedNoErrors(GatewayHarness gateway) =>
        gateway.Logs.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => $"{l.Category}[{l.EventId}] {l.Message} {l.Exception}")
            .Should().BeEmpty("a clean interop run logs no gateway errors");
}
