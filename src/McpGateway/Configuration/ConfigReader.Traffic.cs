using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>A server's traffic policy keys: <c>maxRequestTimeout</c>, <c>toolTimeouts</c>, <c>concurrency</c>, <c>retries</c>, <c>circuitBreaker</c>.</summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] ConcurrencyKeys = ["max", "queue"];

    private static readonly string[] RetryKeys = ["attempts", "backoff"];

    private static readonly string[] BreakerKeys = ["failureRatio", "minimumThroughput", "samplingDuration", "breakDuration"];

    /// <summary>Reads one traffic key into <paramref name="traffic"/>; false when <paramref name="key"/> is not one.</summary>
    private bool TryReadTrafficKey(string key, YamlNode value, string path, ref ServerTrafficOptions traffic)
    {
        switch (key)
        {
            case "maxRequestTimeout":
                traffic = ReadDuration(value, path) is { } max ? traffic with { MaxRequestTimeout = max } : traffic;
                return true;
            case "toolTimeouts":
                traffic = ReadToolTimeouts(value, path) is { } timeouts ? traffic with { ToolTimeouts = timeouts } : traffic;
                return true;
            case "concurrency":
                traffic = ReadConcurrency(value, path, traffic);
                return true;
            case "retries":
                traffic = ReadRetries(value, path) is { } retries ? traffic with { Retries = retries } : traffic;
                return true;
            case "circuitBreaker":
                traffic = ReadBreaker(value, path, out var breaker) ? traffic with { CircuitBreaker = breaker } : traffic;
                return true;
            default:
                return false;
        }
    }

    private static readonly string[] EndpointKeys = ["url", "weight"];

    private static readonly string[] CacheKeys = ["lists", "resources", "tools", "perPrincipal"];

    private const string CacheExample = "`{ lists: 60s, resources: { uris: [\"docs://*\"], ttl: 30s }, tools: { names: [\"get_*\"], ttl: 10s } }`";

    private ServerCacheOptions? ReadCache(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as {CacheExample}, not a {KindOf(node)}");
            return null;
        }

        var cache = ServerCacheOptions.Off;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            switch (key)
            {
                case "lists":
                    cache = ReadDuration(value, keyPath) is { } ttl ? cache with { ListTtl = ttl } : cache;
                    break;
                case "resources":
                    cache = ReadCachedItems(value, keyPath, "uris", "[\"docs://*\"]") is var (uris, uriTtl) ? cache with { ResourceUris = uris, ResourceTtl = uriTtl ?? cache.ResourceTtl } : cache;
                    break;
                case "tools":
                    cache = ReadCachedItems(value, keyPath, "names", "[\"get_*\"]") is var (names, toolTtl) ? cache with { ToolNames = names, ToolTtl = toolTtl ?? cache.ToolTtl } : cache;
                    break;
                case "perPrincipal":
                    cache = ReadBoolean(value, keyPath) is { } perPrincipal ? cache with { PerPrincipal = perPrincipal } : cache;
                    break;
                default:
                    UnknownKey(keyPath, keyNode, CacheKeys);
                    break;
            }
        }

        return cache;
    }

    /// <summary><c>{ uris|names: [globs], ttl }</c> of <c>cache.resources</c> or <c>cache.tools</c>.</summary>
    private (List<string> Globs, TimeSpan? Ttl)? ReadCachedItems(YamlNode node, string path, string listKey, string example)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping such as `{{ {listKey}: {example}, ttl: 30s }}`, not a {KindOf(node)}");
            return null;
        }

        List<string>? globs = null;
        TimeSpan? ttl = null;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            if (key == listKey)
            {
                globs = ReadStringList(value, keyPath, example)?.ConvertAll(item => item.Text);
            }
            else if (key == "ttl")
            {
                ttl = ReadDuration(value, keyPath);
            }
            else
            {
                UnknownKey(keyPath, keyNode, [listKey, "ttl"]);
            }
        }

        if (globs is null)
        {
            Error(path, map, $"`{listKey}` is required: which to cache, e.g. `{{ {listKey}: {example}, ttl: 30s }}`");
            return null;
        }

        return (globs, ttl);
    }

    /// <summary><c>urls</c>: endpoints of one MCP server, as URLs or <c>{ url, weight }</c>.</summary>
    private List<UpstreamEndpoint>? ReadEndpoints(YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            Error(path, node, "must be a non-empty list of endpoints of the same MCP server, e.g. [\"https://a.example.com/mcp\", { url: \"https://b.example.com/mcp\", weight: 2 }]");
            return null;
        }

        var errorCount = errors.Count;
        List<UpstreamEndpoint> endpoints = [];
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var item = sequence.Children[i];
            if (item is YamlScalarNode)
            {
                if (ReadUrl(item, itemPath) is { } url)
                {
                    endpoints.Add(new UpstreamEndpoint(url));
                }

                continue;
            }

            if (item is not YamlMappingNode map)
            {
                Error(itemPath, item, $"must be a URL or a mapping such as `{{ url: \"https://b.example.com/mcp\", weight: 2 }}`, not a {KindOf(item)}");
                continue;
            }

            Uri? endpointUrl = null;
            var weight = 1;
            foreach (var (key, keyNode, value) in Entries(map, itemPath))
            {
                var keyPath = Join(itemPath, key);
                switch (key)
                {
                    case "url":
                        endpointUrl = ReadUrl(value, keyPath);
                        break;
                    case "weight":
                        weight = ReadPositiveInteger(value, keyPath, "shares", "2") is { } shares ? (int)Math.Min(shares, 1000) : weight;
                        break;
                    default:
                        UnknownKey(keyPath, keyNode, EndpointKeys);
                        break;
                }
            }

            if (endpointUrl is null && errors.Count == errorCount)
            {
                Error(itemPath, map, "`url` is required");
            }
            else if (endpointUrl is not null)
            {
                endpoints.Add(new UpstreamEndpoint(endpointUrl, weight));
            }
        }

        return errors.Count > errorCount ? null : endpoints;
    }

    private List<ToolTimeout>? ReadToolTimeouts(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a mapping of tool name (or glob) to timeout, e.g. `{{ generate_report: 5m, \"export_*\": 2m }}`, not a {KindOf(node)}");
            return null;
        }

        List<ToolTimeout> timeouts = [];
        foreach (var (key, _, value) in Entries(map, path))
        {
            if (ReadDuration(value, Join(path, key)) is { } timeout)
            {
                timeouts.Add(new ToolTimeout(key, timeout));
            }
        }

        return timeouts;
    }

    private ServerTrafficOptions ReadConcurrency(YamlNode node, string path, ServerTrafficOptions traffic)
    {
        if (node is YamlScalarNode)
        {
            // `concurrency: 10`: ten in flight, as many waiting.
            return ReadPositiveInteger(node, path, "requests", "10") is { } max ? traffic with { MaxConcurrency = (int)Math.Min(max, int.MaxValue), MaxQueue = (int)Math.Min(max, int.MaxValue) } : traffic;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be a number or a mapping such as `{{ max: 10, queue: 50 }}`, not a {KindOf(node)}");
            return traffic;
        }

        int? maxConcurrency = null, queue = null;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            switch (key)
            {
                case "max":
                    maxConcurrency = ReadPositiveInteger(value, keyPath, "requests", "10") is { } max ? (int)Math.Min(max, int.MaxValue) : null;
                    break;
                case "queue":
                    queue = ReadCount(value, keyPath, "50");
                    break;
                default:
                    UnknownKey(keyPath, keyNode, ConcurrencyKeys);
                    break;
            }
        }

        if (maxConcurrency is null)
        {
            Error(path, map, "`max` is required: how many requests may be in flight to this server, e.g. `{ max: 10, queue: 50 }`");
            return traffic;
        }

        return traffic with { MaxConcurrency = maxConcurrency, MaxQueue = queue ?? maxConcurrency.Value };
    }

    private RetryOptions? ReadRetries(YamlNode node, string path)
    {
        if (node is YamlScalarNode)
        {
            return ReadBoolean(node, path) is { } on ? (on ? RetryOptions.Default : RetryOptions.Off) : null;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be false or a mapping such as `{{ attempts: 2, backoff: 100ms }}`, not a {KindOf(node)}");
            return null;
        }

        var retries = RetryOptions.Default;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            retries = key switch
            {
                "attempts" => ReadCount(value, keyPath, "2") is { } attempts ? retries with { Attempts = attempts } : retries,
                "backoff" => ReadDuration(value, keyPath) is { } backoff ? retries with { Backoff = backoff } : retries,
                _ => UnknownKey(keyPath, keyNode, RetryKeys, retries),
            };
        }

        return retries;
    }

    /// <returns>False when the value was invalid (the error is recorded); <paramref name="breaker"/> null means off.</returns>
    private bool ReadBreaker(YamlNode node, string path, out CircuitBreakerOptions? breaker)
    {
        breaker = null;
        if (node is YamlScalarNode)
        {
            if (ReadBoolean(node, path) is not { } on)
            {
                return false;
            }

            breaker = on ? CircuitBreakerOptions.Default : null;
            return true;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, node, $"must be false or a mapping such as `{{ failureRatio: 0.5, minimumThroughput: 10, samplingDuration: 30s, breakDuration: 15s }}`, not a {KindOf(node)}");
            return false;
        }

        var errorCount = errors.Count;
        var options = CircuitBreakerOptions.Default;
        foreach (var (key, keyNode, value) in Entries(map, path))
        {
            var keyPath = Join(path, key);
            options = key switch
            {
                "failureRatio" => ReadFailureRatio(value, keyPath) is { } ratio ? options with { FailureRatio = ratio } : options,
                "minimumThroughput" => ReadPositiveInteger(value, keyPath, "calls", "10") is { } calls && calls >= 2
                    ? options with { MinimumThroughput = (int)Math.Min(calls, int.MaxValue) }
                    : ErrorIfSmall(value, keyPath, options),
                "samplingDuration" => ReadDuration(value, keyPath) is { } sampling ? options with { SamplingDuration = sampling } : options,
                "breakDuration" => ReadDuration(value, keyPath) is { } pause ? options with { BreakDuration = pause } : options,
                _ => UnknownKey(keyPath, keyNode, BreakerKeys, options),
            };
        }

        // Polly's own bounds: half a second or more for both durations.
        foreach (var (name, duration) in (IEnumerable<(string, TimeSpan)>)[("samplingDuration", options.SamplingDuration), ("breakDuration", options.BreakDuration)])
        {
            if (duration < TimeSpan.FromMilliseconds(500) && errors.Count == errorCount)
            {
                Error(Join(path, name), map, "must be at least 500ms");
            }
        }

        breaker = options;
        return errors.Count == errorCount;
    }

    private CircuitBreakerOptions ErrorIfSmall(YamlNode value, string path, CircuitBreakerOptions options)
    {
        if (value is YamlScalarNode { Value: "1" })
        {
            Error(path, value, "must be at least 2 (one failure of one call is not a ratio)");
        }

        return options;
    }

    private double? ReadFailureRatio(YamlNode node, string path)
    {
        if (Text(node, path, "a ratio between 0 and 1") is { } text && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ratio) && ratio > 0 && ratio <= 1)
        {
            return ratio;
        }

        Error(path, node, $"`{Raw(node)}` is not a ratio; write a number above 0 and at most 1, e.g. 0.5");
        return null;
    }

    private int? ReadCount(YamlNode node, string path, string example)
    {
        if (Text(node, path, "a whole number") is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        Error(path, node, $"`{Raw(node)}` is not a whole number (0 or more); write e.g. {example}");
        return null;
    }
}
