using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>The <c>observability:</c> section, with the standard OpenTelemetry environment variables as fallbacks.</summary>
internal sealed partial class ConfigReader
{
    private const string ObservabilityKey = "observability";

    // The OpenTelemetry specification's names; they apply only where the file says nothing.
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    private const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    private const string OtlpEndpointExample = "http://127.0.0.1:4318";
    private const string OtlpProtocolHelp = "write http/protobuf (OTLP/HTTP, port 4318) or grpc (port 4317)";

    private static readonly string[] ObservabilityKeys = ["serviceName", "otlp", "traceSampleRatio"];

    private static readonly string[] OtlpKeys = ["endpoint", "protocol", "headers", "traces", "metrics", "exportIntervalSeconds"];

    /// <summary>Reads the section (null when the file has none); the environment fills what it leaves out.</summary>
    private ObservabilityOptions ReadObservability(YamlNode? node, string path)
    {
        var options = new ObservabilityOptions();
        YamlNode? otlp = null;
        var serviceNameSet = false;
        if (node is not null && !IsNull(node))
        {
            if (node is not YamlMappingNode map)
            {
                Error(path, node, $"must be a mapping, e.g. `otlp: {{ endpoint: {OtlpEndpointExample} }}`");
                return options;
            }

            foreach (var (key, keyNode, value) in Entries(map, path))
            {
                if (IsNull(value))
                {
                    continue;
                }

                var keyPath = Join(path, key);
                switch (key)
                {
                    case "serviceName":
                        serviceNameSet = true;
                        options = ReadNonEmptyString(value, keyPath, $"a service name such as {ObservabilityOptions.DefaultServiceName}") is { } name
                            ? options with { ServiceName = name.Trim() }
                            : options;
                        break;
                    case "traceSampleRatio":
                        options = ReadRatio(value, keyPath) is { } ratio ? options with { TraceSampleRatio = ratio } : options;
                        break;
                    case "otlp":
                        otlp = value;
                        break;
                    default:
                        UnknownKey(keyPath, keyNode, ObservabilityKeys);
                        break;
                }
            }
        }

        if (!serviceNameSet && Variable(ServiceNameVariable) is { } variableName)
        {
            options = options with { ServiceName = variableName };
        }

        return options with { Otlp = ReadOtlp(otlp, Join(path, "otlp")) };
    }

    /// <summary>Null when neither the file nor <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names an endpoint: no export.</summary>
    private OtlpExportOptions? ReadOtlp(YamlNode? node, string path)
    {
        YamlMappingNode? map = null;
        if (node is not null)
        {
            map = node as YamlMappingNode;
            if (map is null)
            {
                Error(path, node, $"must be a mapping, e.g. `{{ endpoint: {OtlpEndpointExample} }}`");
                return null;
            }
        }

        Uri? endpoint = null;
        OtlpProtocol? protocol = null;
        var valid = true;
        var options = new OtlpExportOptions { Endpoint = new Uri(OtlpEndpointExample) };
        foreach (var (key, keyNode, value) in map is null ? [] : Entries(map, path))
        {
            if (IsNull(value))
            {
                continue;
            }

            var keyPath = Join(path, key);
            switch (key)
            {
                case "endpoint":
                    endpoint = ReadOtlpEndpoint(value, keyPath);
                    valid &= endpoint is not null;
                    break;
                case "protocol":
                    protocol = Text(value, keyPath, "a protocol name") is { } text ? ParseOtlpProtocol(text, keyPath, value) : null;
                    valid &= protocol is not null;
                    break;
                case "headers":
                    var headers = ReadOtlpHeaders(value, keyPath);
                    options = headers is null ? options : options with { Headers = headers };
                    valid &= headers is not null;
                    break;
                case "traces":
                    options = ReadBoolean(value, keyPath) is { } traces ? options with { Traces = traces } : options;
                    break;
                case "metrics":
                    options = ReadBoolean(value, keyPath) is { } metrics ? options with { Metrics = metrics } : options;
                    break;
                case "exportIntervalSeconds":
                    options = ReadDuration(value, keyPath) is { } interval ? options with { ExportInterval = interval } : options;
                    break;
                default:
                    UnknownKey(keyPath, keyNode, OtlpKeys);
                    break;
            }
        }

        if (endpoint is null && valid && Variable(OtlpEndpointVariable) is { } endpointVariable)
        {
            if (!ConfigValueParser.TryParseHttpUrl(endpointVariable, out endpoint))
            {
                // The value is not quoted: an endpoint URL may carry credentials.
                Error(OtlpEndpointVariable, null, $"the environment variable is not an http:// or https:// URL; set it to the collector's base URL such as {OtlpEndpointExample}, or unset it");
                return null;
            }
        }

        if (protocol is null && valid && Variable(OtlpProtocolVariable) is { } protocolVariable)
        {
            protocol = ParseOtlpProtocol(protocolVariable, OtlpProtocolVariable, null);
            valid &= protocol is not null;
        }

        if (endpoint is null)
        {
            if (map is not null && valid)
            {
                Error(path, map, $"has no `endpoint`; write the collector's base URL, e.g. `endpoint: {OtlpEndpointExample}`, set {OtlpEndpointVariable}, or remove `otlp:`");
            }

            return null;
        }

        if (!options.Traces && !options.Metrics)
        {
            Warning(path, map, "exports nothing: `traces` and `metrics` are both false; set one to true, or remove `otlp:`");
        }

        return valid ? options with { Endpoint = endpoint, Protocol = protocol ?? OtlpProtocol.HttpProtobuf } : null;
    }

    private Uri? ReadOtlpEndpoint(YamlNode node, string path)
    {
        if (Text(node, path, "a URL") is not { } text)
        {
            return null;
        }

        if (ConfigValueParser.TryParseHttpUrl(text, out var url))
        {
            return url;
        }

        Error(path, node, $"`{Raw(node)}` is not an http:// or https:// URL; write the collector's base URL, e.g. {OtlpEndpointExample} (http/protobuf) or http://127.0.0.1:4317 (grpc)");
        return null;
    }

    /// <summary>The names of the OTLP specification (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>); http/json is not offered by the .NET exporter.</summary>
    private OtlpProtocol? ParseOtlpProtocol(string text, string path, YamlNode? node)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "http/protobuf":
                return OtlpProtocol.HttpProtobuf;
            case "grpc":
                return OtlpProtocol.Grpc;
            default:
                // The environment's value is not quoted (it never is); the file's raw text is.
                Error(path, node, node is null ? $"is not a supported OTLP protocol; {OtlpProtocolHelp}" : $"`{Raw(node)}` is not a supported OTLP protocol; {OtlpProtocolHelp}");
                return null;
        }
    }

    private Dictionary<string, string>? ReadOtlpHeaders(YamlNode node, string path)
    {
        if (ReadStringMap(node, path, "{ x-api-key: \"${COLLECTOR_KEY}\" }") is not { } entries)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var valid = true;
        foreach (var (name, keyNode, value, entryPath) in entries)
        {
            if (!IsHeaderName(name))
            {
                Error(entryPath, keyNode, $"`{name}` is not an HTTP header name; use letters, digits and -, e.g. x-api-key");
                valid = false;
            }
            else if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                Error(entryPath, keyNode, "the value contains a line break, which a header cannot carry; remove it");
                valid = false;
            }
            else if (!headers.TryAdd(name, value))
            {
                Error(entryPath, keyNode, "is given twice (header names ignore case); keep one");
                valid = false;
            }
        }

        return valid ? headers : null;
    }

    private double? ReadRatio(YamlNode node, string path)
    {
        if (Text(node, path, "a number from 0 to 1") is not { } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1)
        {
            return ratio;
        }

        Error(path, node, $"`{Raw(node)}` is not a ratio; write a number from 0 (record no new traces) to 1 (record all), e.g. 0.25");
        return null;
    }

    /// <summary>An environment variable; empty counts as unset, as the OpenTelemetry specification says.</summary>
    private string? Variable(string name) => getVariable(name) is { } value && value.Trim().Length > 0 ? value.Trim() : null;
}
