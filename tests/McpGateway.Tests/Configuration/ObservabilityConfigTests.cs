using McpGateway.Configuration;
using static McpGateway.Tests.TestSupport.ConfigLoading;

namespace McpGateway.Tests.Configuration;

/// <summary>The <c>observability:</c> section and the OTEL_* environment variables it falls back to.</summary>
public sealed class ObservabilityConfigTests
{
    [Fact]
    public void LoadText_FullObservabilitySection_ReadsEveryKey()
    {
        var result = Load("""
            observability:
              serviceName: gateway-eu
              traceSampleRatio: 0.25
              otlp:
                endpoint: http://collector:4317
                protocol: grpc
                headers: { x-api-key: "${COLLECTOR_KEY}", X-Tenant: eu }
                traces: true
                metrics: false
                exportIntervalSeconds: 5
            mcpServers: {}
            """, ("COLLECTOR_KEY", "s3cret"));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().NotContain(w => w.Key.StartsWith("observability", StringComparison.Ordinal));
        var observability = result.Config!.Observability;
        observability.ServiceName.Should().Be("gateway-eu");
        observability.TraceSampleRatio.Should().Be(0.25);
        var otlp = observability.Otlp!;
        otlp.Endpoint.Should().Be(new Uri("http://collector:4317"));
        otlp.Protocol.Should().Be(OtlpProtocol.Grpc);
        otlp.Headers.Should().Equal(new Dictionary<string, string> { ["x-api-key"] = "s3cret", ["X-Tenant"] = "eu" });
        otlp.Traces.Should().BeTrue();
        otlp.Metrics.Should().BeFalse();
        otlp.ExportInterval.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void LoadText_NoSectionAndNoEnvironment_MeansNoExport()
    {
        var result = Load("mcpServers: {}\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Observability.Should().Be(new ObservabilityOptions());
        result.Config.Observability.Otlp.Should().BeNull();
        result.Config.Observability.ServiceName.Should().Be("mcp-gateway");
    }

    [Fact]
    public void LoadText_OtlpWithEndpointOnly_UsesDefaults()
    {
        var otlp = Load("observability:\n  otlp:\n    endpoint: http://127.0.0.1:4318\n").Config!.Observability.Otlp!;

        otlp.Protocol.Should().Be(OtlpProtocol.HttpProtobuf);
        otlp.Traces.Should().BeTrue();
        otlp.Metrics.Should().BeTrue();
        otlp.ExportInterval.Should().Be(TimeSpan.FromSeconds(15));
        otlp.Headers.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_FileSaysNothing_OtelEnvironmentVariablesApply()
    {
        var result = Load(
            "mcpServers: {}\n",
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_SERVICE_NAME", "from-env"));

        result.Errors.Should().BeEmpty();
        var observability = result.Config!.Observability;
        observability.ServiceName.Should().Be("from-env");
        observability.Otlp!.Endpoint.Should().Be(new Uri("http://otel:4317"));
        observability.Otlp.Protocol.Should().Be(OtlpProtocol.Grpc);
    }

    [Fact]
    public void LoadText_FileAndEnvironmentBothSet_FileWins()
    {
        var result = Load(
            "observability:\n  serviceName: from-file\n  otlp:\n    endpoint: http://file:4318\n    protocol: http/protobuf\n",
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_SERVICE_NAME", "from-env"));

        var observability = result.Config!.Observability;
        observability.ServiceName.Should().Be("from-file");
        observability.Otlp!.Endpoint.Should().Be(new Uri("http://file:4318"));
        observability.Otlp.Protocol.Should().Be(OtlpProtocol.HttpProtobuf);
    }

    [Fact]
    public void LoadText_OtlpSectionWithoutEndpoint_TakesTheEnvironmentsEndpoint()
    {
        var result = Load("observability:\n  otlp:\n    metrics: false\n", ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"));

        result.Errors.Should().BeEmpty();
        result.Config!.Observability.Otlp!.Endpoint.Should().Be(new Uri("http://env:4318"));
        result.Config.Observability.Otlp.Metrics.Should().BeFalse();
    }

    [Theory]
    [InlineData("otlp:\n    endpoint: collector:4318", "observability.otlp.endpoint", 3, "is not an http:// or https:// URL")]
    [InlineData("otlp:\n    endpoint: http://c:4318\n    protocol: http/json", "observability.otlp.protocol", 4, "write http/protobuf (OTLP/HTTP, port 4318) or grpc")]
    [InlineData("otlp:\n    endpoint: http://c:4318\n    exportIntervalSeconds: often", "observability.otlp.exportIntervalSeconds", 4, "is not a duration")]
    [InlineData("otlp:\n    endpoint: http://c:4318\n    traces: yes", "observability.otlp.traces", 4, "write true or false")]
    [InlineData("otlp:\n    endpoint: http://c:4318\n    headers: { \"bad header\": x }", "observability.otlp.headers.bad header", 4, "is not an HTTP header name")]
    [InlineData("otlp:\n    protocol: grpc", "observability.otlp", 3, "has no `endpoint`; write the collector's base URL")]
    [InlineData("otlp: http://c:4318", "observability.otlp", 2, "must be a mapping")]
    [InlineData("traceSampleRatio: 1.5", "observability.traceSampleRatio", 2, "write a number from 0")]
    [InlineData("serviceName: \"\"", "observability.serviceName", 2, "is empty")]
    public void LoadText_BadObservabilityValue_ErrorNamesKeyLineAndFix(string section, string key, int line, string fix)
    {
        var error = SingleError(Load($"observability:\n  {section}\nmcpServers: {{}}\n"));

        error.Key.Should().Be(key);
        error.Line.Should().Be(line);
        error.Message.Should().Contain(fix);
    }

    [Fact]
    public void LoadText_BadOtelEndpointVariable_ErrorNamesTheVariableWithoutQuotingIt()
    {
        var error = SingleError(Load("mcpServers: {}\n", ("OTEL_EXPORTER_OTLP_ENDPOINT", "user:secret@collector")));

        error.Key.Should().Be("OTEL_EXPORTER_OTLP_ENDPOINT");
        error.Message.Should().Contain("http://").And.NotContain("secret");
    }

    [Fact]
    public void LoadText_OtlpExportingNothing_Warns()
    {
        var result = Load("observability:\n  otlp:\n    endpoint: http://c:4318\n    traces: false\n    metrics: false\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().ContainSingle(w => w.Key == "observability.otlp").Which.Message.Should().Contain("exports nothing");
    }

    [Fact]
    public void LoadText_UnknownObservabilityKey_WarnsWithSuggestion()
    {
        var result = Load("observability:\n  otlp:\n    endpoint: http://c:4318\n    Endpoints: x\n  servicename: a\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Contain(w => w.Key == "observability.servicename" && w.Message.Contains("serviceName"));
        result.Warnings.Should().Contain(w => w.Key == "observability.otlp.Endpoints" && w.Message.Contains("unknown key"));
    }
}
