using KubeMonitor.Facade.Kubernetes;
using KubeMonitor.Facade.MetricsApi;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Tests.MetricsApi;

/// <summary>The metrics API's small pure parts: quantities, Go durations, field selectors and its options.</summary>
public sealed class MetricsApiUnitTests
{
    [Theory]
    [InlineData(0.251234567, "251234567n")]
    [InlineData(2, "2")]
    [InlineData(0.25, "250m")]
    [InlineData(0.0015, "1500u")]
    [InlineData(1.5, "1500m")]
    [InlineData(0.000000001, "1n")]
    [InlineData(0, "0")]
    [InlineData(2000, "2k")]
    [InlineData(0.0000000004, "0")]           // below a nanocore
    public void Cpu_is_whole_nanocores_with_the_largest_exact_decimal_suffix(double cores, string expected) =>
        Assert.Equal(expected, Quantities.Cpu(cores));

    [Theory]
    [InlineData(2147483648, "2Gi")]
    [InlineData(2149580800, "2050Mi")]
    [InlineData(1536, "1536")]               // 1.5 Ki is not a whole number of Ki
    [InlineData(3072, "3Ki")]
    [InlineData(123456789, "123456789")]
    [InlineData(1000, "1k")]                 // under 1 KiB: the decimal form, as Kubernetes writes it
    [InlineData(512, "512")]
    [InlineData(0, "0")]
    [InlineData(1099511627776, "1Ti")]
    public void Memory_is_bytes_with_the_largest_exact_binary_suffix(double bytes, string expected) =>
        Assert.Equal(expected, Quantities.Bytes(bytes));

    [Theory]
    [InlineData(5000, "5s")]
    [InlineData(5002, "5.002s")]
    [InlineData(60000, "1m0s")]
    [InlineData(61500, "1m1.5s")]
    [InlineData(3600000, "1h0m0s")]
    [InlineData(3725250, "1h2m5.25s")]
    [InlineData(500, "500ms")]
    [InlineData(1, "1ms")]
    [InlineData(0, "0s")]
    public void Durations_are_written_as_Go_writes_them(long milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("30s", 30_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("250ms", 250)]
    [InlineData("1h", 3_600_000)]
    public void Durations_are_read_as_Go_reads_them(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("30x")]
    [InlineData("s")]
    [InlineData("1..5s")]
    public void Durations_without_units_or_numbers_are_refused(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData("metadata.name=a", "a", "x", true)]
    [InlineData("metadata.name==a", "b", "x", false)]
    [InlineData("metadata.name!=a", "b", "x", true)]
    [InlineData("metadata.namespace=x,metadata.name!=a", "b", "x", true)]
    [InlineData("metadata.namespace=x,metadata.name!=a", "a", "x", false)]
    [InlineData(" metadata.namespace = y ", "a", "x", false)]
    [InlineData("", "a", "x", true)]
    public void Field_selectors_match_name_and_namespace(string selector, string name, string ns, bool matches) =>
        Assert.Equal(matches, FieldSelector.Parse(selector).Matches(name, ns));

    [Theory]
    [InlineData("spec.nodeName=n")]
    [InlineData("metadata.name")]
    [InlineData("metadata.name=a=b")]
    [InlineData("metadata.name=a,")]
    public void Field_selectors_on_other_fields_or_without_an_operator_are_refused(string selector) =>
        Assert.Throws<FormatException>(() => FieldSelector.Parse(selector));

    private static string? Validate(MetricsApiOptions options, string? kubeconfig = null) =>
        new MetricsApiOptionsValidator(Options.Create(new KubernetesOptions { Kubeconfig = kubeconfig })).Validate(null, options).FailureMessage;

    [Fact]
    public void Options_that_cannot_work_are_refused_and_absent_ones_switch_the_api_off()
    {
        var caFile = Path.GetTempFileName();
        try
        {
            MetricsApiOptions Valid() => new() { Url = "https://0.0.0.0:8443", RequestHeaderClientCaFile = caFile, Authorization = MetricsApiAuthorization.AllowAuthenticated };
            Assert.Null(Validate(Valid()));
            Assert.Null(Validate(new MetricsApiOptions { Window = "nonsense" }));   // off: nothing to check
            Assert.Contains("must be an https:// address", Validate(Valid().With(o => o.Url = "http://0.0.0.0:8443")));
            Assert.Contains("must be an https:// address", Validate(Valid().With(o => o.Url = "https://0.0.0.0:8443/metrics")));
            Assert.Contains("TlsCertFile and TlsKeyFile go together", Validate(Valid().With(o => o.TlsCertFile = caFile)));
            Assert.Contains("does not exist", Validate(Valid().With(o => o.RequestHeaderClientCaFile = "/nonexistent/ca.crt")));
            Assert.Contains("Window must be 0 or a duration", Validate(Valid().With(o => o.Window = "30")));
            Assert.Contains("Window must be 0 or a duration", Validate(Valid().With(o => o.Window = "-5s")));
            Assert.Contains("no Kubernetes API server is configured", Validate(Valid().With(o => o.Authorization = MetricsApiAuthorization.SubjectAccessReview)));
            Assert.Null(Validate(Valid().With(o => o.Authorization = MetricsApiAuthorization.SubjectAccessReview), kubeconfig: caFile));
            Assert.Contains("nobody could authenticate", Validate(Valid().With(o => o.RequestHeaderClientCaFile = null)));
        }
        finally
        {
            File.Delete(caFile);
        }
    }
}

internal static class OptionsEditing
{
    public static MetricsApiOptions With(this MetricsApiOptions options, Action<MetricsApiOptions> change)
    {
        change(options);
        return options;
    }
}
