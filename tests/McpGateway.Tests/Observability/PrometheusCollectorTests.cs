using System.Diagnostics.Metrics;
using McpGateway.Observability.Prometheus;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Observability;

/// <summary>
/// The collector and the text writer, through the app's <see cref="IMeterFactory"/> as the gateway uses them, checked by
/// parsing every scrape strictly (<see cref="PrometheusTextParser"/>).
/// </summary>
public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusCollector _collector;
    private readonly Meter _meter;

    public PrometheusCollectorTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _collector = new PrometheusCollector(factory, maxSeriesPerMetric: 3);
        _meter = factory.Create("McpGateway");
    }

    public void Dispose()
    {
        _collector.Dispose();
        _services.Dispose();
    }

    private Task<(PrometheusExposition Exposition, string Text)> ScrapeAsync() => PrometheusTextParser.ScrapeAsync(_collector);

    [Fact]
    public async Task Counter_AddedPerLabelSet_ExposesCumulativeTotalsWithTotalSuffix()
    {
        var counter = _meter.CreateCounter<long>("mcp_gateway_requests", description: "Requests handled.");
        counter.Add(1, new("server", "a"), new("outcome", "ok"));
        counter.Add(2, new("outcome", "ok"), new("server", "a"));
        counter.Add(5, new("server", "b"), new("outcome", "error"));

        var (metrics, _) = await ScrapeAsync();

        metrics["mcp_gateway_requests_total"].Type.Should().Be("counter");
        metrics["mcp_gateway_requests_total"].Help.Should().Be("Requests handled.");
        metrics["mcp_gateway_requests_total"].Samples.Should().HaveCount(2, "tag order does not make a new series");
        metrics.Value("mcp_gateway_requests_total", ("server", "a"), ("outcome", "ok")).Should().Be(3);
        metrics.Value("mcp_gateway_requests_total", ("server", "b"), ("outcome", "error")).Should().Be(5);
    }

    [Fact]
    public async Task Record_ExistingSeries_AllocatesNothing()
    {
        var counter = _meter.CreateCounter<long>("mcp_gateway_hot");
        var histogram = _meter.CreateHistogram<double>("mcp_gateway_hot_duration", "s");
        KeyValuePair<string, object?> server = new("server", "a"), outcome = new("outcome", "ok");
        counter.Add(1, server, outcome);
        histogram.Record(0.001, outcome, server);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            counter.Add(1, server, outcome);
            histogram.Record(0.001, outcome, server);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0, "the record path finds an existing series by its tag values");
        var (metrics, _) = await ScrapeAsync();
        metrics.Value("mcp_gateway_hot_total", ("server", "a"), ("outcome", "ok")).Should().Be(1001);
    }

    [Fact]
    public async Task Counter_NegativeIncrement_Ignored()
    {
        var counter = _meter.CreateCounter<double>("mcp_gateway_things");
        counter.Add(2.5);
        counter.Add(-1);

        var (metrics, _) = await ScrapeAsync();

        metrics.Value("mcp_gateway_things_total").Should().Be(2.5);
    }

    [Theory]
    [InlineData("dotnet.gc.collections", null, "counter", "dotnet_gc_collections_total")]
    [InlineData("mcp_gateway_requests_total", null, "counter", "mcp_gateway_requests_total")]
    [InlineData("mcp_gateway_upstream_received", "By", "counter", "mcp_gateway_upstream_received_bytes_total")]
    [InlineData("http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds")]
    [InlineData("mcp_gateway_request_duration_seconds", "s", "histogram", "mcp_gateway_request_duration_seconds")]
    [InlineData("mcp_gateway_request_size", "By", "histogram", "mcp_gateway_request_size_bytes")]
    [InlineData("mcp-gateway/sessions active", "{session}", "updown", "mcp_gateway_sessions_active")]
    [InlineData("9lives", null, "gauge", "_9lives")]
    public async Task Instrument_Named_MapsToPrometheusFamilyName(string instrumentName, string? unit, string kind, string expected)
    {
        switch (kind)
        {
            case "counter": _meter.CreateCounter<long>(instrumentName, unit).Add(1); break;
            case "histogram": _meter.CreateHistogram<double>(instrumentName, unit).Record(1); break;
            case "updown": _meter.CreateUpDownCounter<long>(instrumentName, unit).Add(1); break;
            default: _meter.CreateGauge<double>(instrumentName, unit).Record(1); break;
        }

        var (metrics, _) = await ScrapeAsync();

        metrics.Families.Keys.Should().Contain(expected);
        metrics[expected].Samples.Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("say \"hi\"")]
    [InlineData(@"C:\path\to\")]
    [InlineData("two\nlines")]
    [InlineData("\\n is not a newline")]
    [InlineData("ünïcødé ✓ 日本語 🚀")]
    [InlineData("")]
    public async Task LabelValue_WithSpecialCharacters_RoundTripsThroughEscaping(string value)
    {
        _meter.CreateCounter<long>("mcp_gateway_tool_calls").Add(7, new KeyValuePair<string, object?>("tool", value));

        var (metrics, _) = await ScrapeAsync();

        metrics.Value("mcp_gateway_tool_calls_total", ("tool", value)).Should().Be(7);
    }

    [Fact]
    public async Task LabelNames_Invalid_SanitizedAndNonStringValuesFormattedInvariant()
    {
        _meter.CreateCounter<long>("mcp_gateway_calls").Add(1, new("http.status-code", 200), new("ok", true), new("ratio", 0.5));

        var (metrics, _) = await ScrapeAsync();

        metrics.Value("mcp_gateway_calls_total", ("http_status_code", "200"), ("ok", "true"), ("ratio", "0.5")).Should().Be(1);
    }

    [Fact]
    public async Task Help_WithBackslashAndNewline_EscapedAndRoundTrips()
    {
        const string description = "Line one\\two\nline \"three\"";
        _meter.CreateCounter<long>("mcp_gateway_documented", description: description);

        var (metrics, text) = await ScrapeAsync();

        text.Should().Contain("# HELP mcp_gateway_documented_total Line one\\\\two\\nline \"three\"\n");
        metrics["mcp_gateway_documented_total"].Help.Should().Be(description);
    }

    [Fact]
    public async Task Family_WithoutSeries_StillHasHelpAndType()
    {
        _meter.CreateHistogram<double>("mcp_gateway_idle", "s", "Nothing recorded yet.");
        _meter.CreateCounter<long>("mcp_gateway_unused");

        var (metrics, text) = await ScrapeAsync();

        metrics["mcp_gateway_idle_seconds"].Type.Should().Be("histogram");
        metrics["mcp_gateway_idle_seconds"].Help.Should().Be("Nothing recorded yet.");
        metrics["mcp_gateway_idle_seconds"].Samples.Should().BeEmpty();
        metrics["mcp_gateway_unused_total"].Type.Should().Be("counter");
        metrics["mcp_gateway_unused_total"].Help.Should().Be("mcp_gateway_unused", "an instrument without a description is described by its name");
        text.Should().NotContain("mcp_gateway_unused_total 0");
    }

    [Fact]
    public async Task Histogram_WithAdvisedBuckets_WritesCumulativeBucketsSumAndCount()
    {
        var histogram = _meter.CreateHistogram<double>("mcp_gateway_request_duration", "s", "Request time.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5] });
        foreach (var value in new[] { 0.5, 1, 1.5, 2, 3, 10 })
        {
            histogram.Record(value, new KeyValuePair<string, object?>("server", "a"));
        }

        histogram.Record(double.NaN, new KeyValuePair<string, object?>("server", "a"));

        var (metrics, text) = await ScrapeAsync();

        var family = metrics["mcp_gateway_request_duration_seconds"];
        family.Type.Should().Be("histogram");
        var buckets = family.Samples.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).ToList();
        buckets.Select(b => b.Labels["le"]).Should().Equal("1", "2", "5", "+Inf");
        buckets.Select(b => b.Value).Should().Equal([2, 4, 5, 6], "upper bounds are inclusive and counts cumulative");
        buckets.Should().AllSatisfy(b => b.Labels["server"].Should().Be("a"));
        metrics.Value("mcp_gateway_request_duration_seconds_sum", ("server", "a")).Should().Be(18);
        metrics.Value("mcp_gateway_request_duration_seconds_count", ("server", "a")).Should().Be(6, "NaN is not counted");
        text.Should().Contain("mcp_gateway_request_duration_seconds_bucket{server=\"a\",le=\"+Inf\"} 6\n");
    }

    [Fact]
    public async Task Histogram_SecondsWithoutAdvice_UsesSubMillisecondDefaultBuckets()
    {
        var histogram = _meter.CreateHistogram<double>("mcp_gateway_upstream_latency", "s");
        histogram.Record(0.0003);
        histogram.Record(0.02);

        var (metrics, _) = await ScrapeAsync();

        metrics.Value("mcp_gateway_upstream_latency_seconds_bucket", ("le", "0.0001")).Should().Be(0);
        metrics.Value("mcp_gateway_upstream_latency_seconds_bucket", ("le", "0.0005")).Should().Be(1);
        metrics.Value("mcp_gateway_upstream_latency_seconds_bucket", ("le", "0.025")).Should().Be(2);
        metrics.Value("mcp_gateway_upstream_latency_seconds_sum").Should().BeApproximately(0.0203, 1e-12);
    }

    [Fact]
    public async Task Histogram_TagNamedLe_DroppedSoBucketsStayValid()
    {
        _meter.CreateHistogram<long>("mcp_gateway_sizes", "By").Record(100, new KeyValuePair<string, object?>("le", "mine"));

        var (metrics, _) = await ScrapeAsync();

        metrics.Value("mcp_gateway_sizes_bytes_count").Should().Be(1);
    }

    [Fact]
    public async Task UpDownCounter_AddsAndSubtracts_ExposedAsGauge()
    {
        var sessions = _meter.CreateUpDownCounter<int>("mcp_gateway_sessions_active");
        sessions.Add(3);
        sessions.Add(-1);

        var (metrics, _) = await ScrapeAsync();

        metrics["mcp_gateway_sessions_active"].Type.Should().Be("gauge");
        metrics.Value("mcp_gateway_sessions_active").Should().Be(2);
    }

    [Fact]
    public async Task Gauge_RecordedTwice_KeepsLastValue()
    {
        var state = _meter.CreateGauge<int>("mcp_gateway_circuit_state");
        state.Record(2, new KeyValuePair<string, object?>("server", "a"));
        state.Record(1, new KeyValuePair<string, object?>("server", "a"));
        state.Record(-3, new KeyValuePair<string, object?>("server", "b"));

        var (metrics, _) = await ScrapeAsync();

        metrics["mcp_gateway_circuit_state"].Type.Should().Be("gauge");
        metrics.Value("mcp_gateway_circuit_state", ("server", "a")).Should().Be(1);
        metrics.Value("mcp_gateway_circuit_state", ("server", "b")).Should().Be(-3);
    }

    [Fact]
    public async Task ObservableInstruments_PolledAtEachScrape_ReportCurrentValues()
    {
        var up = 1;
        var restarts = 10L;
        var polls = 0;
        _meter.CreateObservableGauge("mcp_server_up", () =>
        {
            polls++;
            return new Measurement<int>(up, new KeyValuePair<string, object?>("server", "a"));
        });
        _meter.CreateObservableCounter("mcp_gateway_upstream_restarts", () => restarts);
        _meter.CreateObservableUpDownCounter("mcp_gateway_queue_depth", () => new Measurement<double>(up * 4.5));

        var (first, _) = await ScrapeAsync();
        up = 0;
        restarts = 12;
        var (second, _) = await ScrapeAsync();

        first.Value("mcp_server_up", ("server", "a")).Should().Be(1);
        first.Value("mcp_gateway_upstream_restarts_total").Should().Be(10);
        first.Value("mcp_gateway_queue_depth").Should().Be(4.5);
        second.Value("mcp_server_up", ("server", "a")).Should().Be(0);
        second.Value("mcp_gateway_upstream_restarts_total").Should().Be(12, "an observable counter reports the total, not an increment");
        second["mcp_gateway_upstream_restarts_total"].Type.Should().Be("counter");
        second.Value("mcp_gateway_queue_depth").Should().Be(0);
        polls.Should().Be(2);
    }

    [Fact]
    public async Task Series_BeyondCap_DroppedAndCounted()
    {
        var counter = _meter.CreateCounter<long>("mcp_gateway_per_tool");
        for (var i = 0; i < 5; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("tool", $"t{i}"));
        }

        counter.Add(1, new KeyValuePair<string, object?>("tool", "t0"));
        counter.Add(1, new KeyValuePair<string, object?>("tool", "t4"));

        var (metrics, _) = await ScrapeAsync();

        metrics["mcp_gateway_per_tool_total"].Samples.Select(s => s.Labels["tool"]).Should().Equal("t0", "t1", "t2");
        metrics.Value("mcp_gateway_per_tool_total", ("tool", "t0")).Should().Be(2, "existing series keep counting after the cap");
        metrics[PrometheusCollector.DroppedMeasurementsName].Type.Should().Be("counter");
        metrics.Value(PrometheusCollector.DroppedMeasurementsName, ("metric", "mcp_gateway_per_tool_total")).Should().Be(3);
    }

    [Fact]
    public async Task TwoMeterFactories_SameMeterName_DoNotSeeEachOthersSeries()
    {
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var otherFactory = otherServices.GetRequiredService<IMeterFactory>();
        using var otherCollector = new PrometheusCollector(otherFactory);
        using var unscoped = new Meter("McpGateway");
        _meter.CreateCounter<long>("mcp_gateway_requests").Add(1);
        otherFactory.Create("McpGateway").CreateCounter<long>("mcp_gateway_requests").Add(40);
        unscoped.CreateCounter<long>("mcp_gateway_requests").Add(500);

        var (mine, _) = await ScrapeAsync();
        var (theirs, _) = await PrometheusTextParser.ScrapeAsync(otherCollector);

        mine.Value("mcp_gateway_requests_total").Should().Be(1);
        theirs.Value("mcp_gateway_requests_total").Should().Be(40);
    }

    [Fact]
    public async Task RuntimeMeter_Subscribed_ExposesDotnetMetrics()
    {
        GC.Collect();

        var (metrics, _) = await ScrapeAsync();

        metrics["dotnet_gc_collections_total"].Type.Should().Be("counter");
        metrics["dotnet_gc_collections_total"].Samples.Sum(s => s.Value).Should().BeGreaterThan(0);
        metrics.Families.Keys.Should().Contain("dotnet_process_memory_working_set_bytes");
    }

    [Fact]
    public async Task SameName_DifferentKind_SecondInstrumentIgnored()
    {
        _meter.CreateCounter<long>("mcp_gateway_clash_total").Add(2);
        _meter.CreateObservableGauge("mcp_gateway_clash_total", () => 99);

        var (metrics, _) = await ScrapeAsync();

        metrics["mcp_gateway_clash_total"].Type.Should().Be("counter");
        metrics.Value("mcp_gateway_clash_total").Should().Be(2);
    }
}
