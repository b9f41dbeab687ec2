using System.Text;

namespace McpGateway.Tests.Interop;

/// <summary>
/// Tags every process a test starts (directly, or through the gateway's <c>env</c>) with a unique environment variable,
/// and afterwards finds any that is still alive by scanning <c>/proc/*/environ</c> (Linux; elsewhere it finds nothing).
/// </summary>
internal sealed class ProcessLeakCheck
{
    public const string VariableName = "MCP_GATEWAY_INTEROP_RUN";

    public string Marker { get; } = Guid.NewGuid().ToString("N");

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { [VariableName] = Marker };

    /// <summary>Processes still carrying the marker, as "pid: command line".</summary>
    public IReadOnlyList<string> Survivors()
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var needle = Encoding.UTF8.GetBytes($"{VariableName}={Marker}\0");
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, out var pid) || pid == System.Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (environ.AsSpan().IndexOf(needle) >= 0)
                {
                    var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                    found.Add($"{pid}: {cmdline}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours.
            }
        }

        return found;
    }

    /// <summary>Everything tagged must be gone shortly after its owners were disposed (polled, bounded).</summary>
    public async Task AssertNoneLeftAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        IReadOnlyList<string> survivors;
        while ((survivors = Survivors()).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        survivors.Should().BeEmpty("every node process started for the test (client script, upstream servers) must be gone after disposal");
    }
}
