using KubeMonitor.Exporter.Metrics;

namespace KubeMonitor.Exporter.Tests.Metrics;

/// <summary>Which format a scrape gets, from its Accept header.</summary>
public sealed class MetricsEndpointTests
{
    [Theory]
    // What Prometheus 2.x sends (OpenMetrics first, the text format as fallback).
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true)]
    [InlineData("application/openmetrics-text; version=1.0.0; charset=utf-8", true)]
    [InlineData("Application/OpenMetrics-Text", true)]
    [InlineData("text/plain;version=0.0.4;q=0.5,*/*;q=0.1", false)]
    [InlineData("*/*", false)]
    [InlineData("", false)]
    [InlineData("not a media type", false)]
    public void OpenMetrics_only_when_the_scraper_names_it(string accept, bool expected) =>
        Assert.Equal(expected, MetricsEndpoint.AcceptsOpenMetrics([accept]));

    [Fact]
    public void No_accept_header_is_the_text_format() => Assert.False(MetricsEndpoint.AcceptsOpenMetrics([]));
}
