using KubeMonitor.Facade.Sources.Prometheus;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>Settings that cannot work stop the facade at start, saying which and why.</summary>
public sealed class PrometheusOptionsTests
{
    [Theory]
    [InlineData(null, "Url is required")]
    [InlineData("prometheus:9090", "absolute http or https URL")]
    [InlineData("ftp://prometheus", "absolute http or https URL")]
    [InlineData("http://prometheus:9090/?x=1", "without query or fragment")]
    [InlineData("http://user:secret@prometheus:9090", "must not hold credentials")]
    public void A_missing_or_unusable_url_is_refused(string? url, string expected)
    {
        AssertFails(new PrometheusOptions { Url = url }, expected);
    }

    [Fact]
    public async Task A_host_with_the_source_and_no_url_does_not_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddFacadeOptions();
        builder.Services.AddPrometheusSource();
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Facade:Prometheus:Url is required", failure.Message);
    }

    [Theory]
    [InlineData("cluster=\"prod-1\"")]
    [InlineData(" cluster = \"prod-1\" , env=~'a|b', team!~`x.*`, zone!=\"\", ")]
    public void Plausible_matcher_lists_are_taken(string selector)
    {
        Assert.True(new PrometheusOptionsValidator().Validate(null, Valid(o => o.Selector = selector)).Succeeded);
    }

    [Theory]
    [InlineData("cluster", "expected =, !=, =~ or !~")]
    [InlineData("cluster=prod", "expected a quoted value")]
    [InlineData("cluster=\"prod", "not closed")]
    [InlineData("{cluster=\"a\"}", "expected a label name")]
    [InlineData("cluster=\"a\" env=\"b\"", "expected ','")]
    [InlineData("1abc=\"a\"", "expected a label name")]
    [InlineData("env=~\"(\"", "regex of env is not valid")]
    [InlineData("__name__=\"up\"", "must not match on __name__")]
    public void A_selector_that_is_not_a_matcher_list_is_refused(string selector, string expected)
    {
        AssertFails(Valid(o => o.Selector = selector), expected);
    }

    [Fact]
    public void Timeouts_windows_headers_and_token_files_that_cannot_work_are_refused()
    {
        AssertFails(Valid(o => o.Timeout = TimeSpan.Zero), "Timeout must be more than 0");
        AssertFails(Valid(o => o.MaxWindow = TimeSpan.FromMilliseconds(10)), "MaxWindow must be at least 1 second");
        AssertFails(Valid(o => o.Headers["X Bad"] = "1"), "'X Bad' is not a valid header name");
        AssertFails(Valid(o => o.Headers["X-Scope-OrgID"] = "a\r\nInjected: 1"), "must be one line");
        AssertFails(Valid(o => o.BearerTokenFile = "/nonexistent/token"), "BearerTokenFile '/nonexistent/token' does not exist");
    }

    [Fact]
    public void The_matchers_a_field_carries_match_as_in_PromQL()
    {
        var matchers = LabelMatcher.ParseList("interface!=\"lo\", device=~\"sd.|nvme0n1\", x!~\"\"");

        Assert.True(matchers[0].Matches("eth0"));
        Assert.False(matchers[0].Matches("lo"));
        // Regexes are anchored at both ends.
        Assert.True(matchers[1].Matches("sda"));
        Assert.False(matchers[1].Matches("sdab"));
        // A missing label is the empty string.
        Assert.False(matchers[2].Matches(null));
        Assert.Equal("interface!=\"lo\"", matchers[0].ToString());
    }

    private static PrometheusOptions Valid(Action<PrometheusOptions> change)
    {
        var options = new PrometheusOptions { Url = "http://mimir/prometheus" };
        change(options);
        return options;
    }

    private static void AssertFails(PrometheusOptions options, string expected)
    {
        var result = new PrometheusOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(PrometheusOptions.Section, result.FailureMessage, StringComparison.Ordinal);
    }
}
