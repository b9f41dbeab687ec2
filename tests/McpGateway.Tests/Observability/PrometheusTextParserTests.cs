using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Observability;

/// <summary>The test parser must reject what a scraper would reject, or the exposition tests prove nothing.</summary>
public sealed class PrometheusTextParserTests
{
    [Fact]
    public void Parse_WellFormedExposition_ReadsFamiliesAndSamples()
    {
        var exposition = PrometheusTextParser.Parse(
            "# HELP a_total Requests \\\\ with\\nnewline\n# TYPE a_total counter\na_total{x=\"q\\\"\\\\\\n\"} 3\n"
            + "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 4.5\nh_count 2\n");

        exposition["a_total"].Help.Should().Be("Requests \\ with\nnewline");
        exposition.Value("a_total", ("x", "q\"\\\n")).Should().Be(3);
        exposition["h"].Type.Should().Be("histogram");
        exposition.Value("h_sum").Should().Be(4.5);
    }

    [Theory]
    [InlineData("# TYPE a counter\na 1", "no final newline")]
    [InlineData("a 1\n", "sample without TYPE")]
    [InlineData("# TYPE a gauge\n\na 1\n", "blank line")]
    [InlineData("# TYPE a gauge\na\n", "no value")]
    [InlineData("# TYPE a gauge\na one\n", "bad value")]
    [InlineData("# TYPE a gauge\na{x=\"1\" 1\n", "unterminated label set")]
    [InlineData("# TYPE a gauge\na{x=\"1} 1\n", "unterminated label value")]
    [InlineData("# TYPE a gauge\na{x=\"\\t\"} 1\n", "unknown escape")]
    [InlineData("# TYPE a gauge\na{1x=\"1\"} 1\n", "bad label name")]
    [InlineData("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n", "label twice")]
    [InlineData("# TYPE a gauge\na{x=\"1\",} 1\n", "trailing comma")]
    [InlineData("# TYPE a gauge\na 1\na 2\n", "duplicate series")]
    [InlineData("# TYPE a gauge\n# TYPE a gauge\n", "duplicate TYPE")]
    [InlineData("# TYPE a wibble\n", "unknown type")]
    [InlineData("# HELP a bad \\t escape\n", "bad HELP escape")]
    [InlineData("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n", "family split in two")]
    [InlineData("# TYPE a counter\na -1\n", "negative counter")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "no +Inf bucket")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "_count differs from +Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n", "no _sum")]
    public void Parse_MalformedExposition_Throws(string text, string because)
    {
        var parse = () => PrometheusTextParser.Parse(text);

        parse.Should().Throw<FormatException>(because);
    }
}
