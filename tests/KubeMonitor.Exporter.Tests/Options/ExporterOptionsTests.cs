using System.Net;
using KubeMonitor.Exporter.Options;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests.Options;

public sealed class ExporterOptionsTests
{
    private static readonly Func<string, string?> NodeSeven = name => name == "NODE_NAME" ? "node-7" : null;

    private static ExporterOptions Valid(params string[] args)
    {
        var parsed = ExporterOptions.Parse(args, NodeSeven);
        Assert.Empty(parsed.Errors);
        Assert.Null(parsed.HelpText);
        return parsed.Options!;
    }

    private static IReadOnlyList<string> Errors(params string[] args)
    {
        var parsed = ExporterOptions.Parse(args, NodeSeven);
        Assert.Null(parsed.Options);
        Assert.NotEmpty(parsed.Errors);
        return parsed.Errors;
    }

    [Fact]
    public void Defaults()
    {
        var options = Valid();

        Assert.Equal(new ExporterOptions("node-7", null, null, null, IPEndPoint.Parse("0.0.0.0:9847"), TimeSpan.FromSeconds(5), null, LogLevel.Information), options);
    }

    [Fact]
    public void Without_NODE_NAME_the_node_is_the_lower_cased_host_name()
    {
        var parsed = ExporterOptions.Parse([], _ => null);

        Assert.Equal(Dns.GetHostName().ToLowerInvariant(), parsed.Options?.NodeName);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var options = Valid(
            "--node-name", "worker-1.example", "--proc-root", "/host/proc", "--sys-root", "/host/sys", "--cgroup-root", "/host/sys/fs/cgroup",
            "--listen", "[::]:9000", "--interval", "500ms", "--kubeconfig", "/root/.kube/config", "--log-level", "debug",
            "--facade-url", "http://facade-a:8080", "--facade-url", "https://facade-b.kubemonitor.svc:8443/",
            "--push-token-file", "/var/run/secrets/kubemonitor/token", "--push-buffer", "30m", "--push-buffer-bytes", "64Mi");

        Assert.Equal(
            new ExporterOptions("worker-1.example", "/host/proc", "/host/sys", "/host/sys/fs/cgroup", IPEndPoint.Parse("[::]:9000"), TimeSpan.FromMilliseconds(500), "/root/.kube/config", LogLevel.Debug)
            {
                FacadeUrls = options.FacadeUrls,
                PushTokenFile = "/var/run/secrets/kubemonitor/token",
                PushBuffer = TimeSpan.FromMinutes(30),
                PushBufferBytes = 64L << 20,
            },
            options);
        Assert.Equal([new Uri("http://facade-a:8080"), new Uri("https://facade-b.kubemonitor.svc:8443/")], options.FacadeUrls);
    }

    [Theory]
    [InlineData("ftp://facade:21")]
    [InlineData("facade:8080")]
    [InlineData("/api")]
    public void A_facade_url_must_be_absolute_http(string url) =>
        Assert.Contains(Errors("--facade-url", url), e => e.Contains("--facade-url", StringComparison.Ordinal));

    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2", 2_000)]
    [InlineData("2.5", 2_500)]
    [InlineData("0.5s", 500)]
    public void Interval_accepts_units_and_plain_seconds(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Valid("--interval", text).Interval);

    [Theory]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("1e3")]
    [InlineData("NaN")]
    public void Interval_must_be_a_positive_duration(string text) =>
        Assert.Contains(Errors("--interval", text), e => e.Contains("--interval", StringComparison.Ordinal));

    [Fact]
    public void The_push_buffer_is_bounded_by_16_MiB_by_default() =>
        Assert.Equal(16L << 20, Valid().PushBufferBytes);

    /// <summary>Kubernetes quantities, as the DaemonSet's own memory limit is written, and the "MiB" people write.</summary>
    [Theory]
    [InlineData("64Mi", 64L << 20)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("32M", 32_000_000L)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("512Ki", 512L << 10)]
    [InlineData("500k", 500_000L)]
    [InlineData("1048576", 1_048_576L)]
    [InlineData("1.5Mi", 1_572_864L)]
    public void Push_buffer_bytes_accepts_quantities_and_plain_bytes(string text, long bytes) =>
        Assert.Equal(bytes, Valid("--push-buffer-bytes", text).PushBufferBytes);

    [Theory]
    [InlineData("0")]
    [InlineData("-1Mi")]
    [InlineData("100m")]   // a tenth of a byte
    [InlineData("1.5")]
    [InlineData("64MB")]
    [InlineData("64 Mi")]
    [InlineData("Mi")]
    [InlineData("lots")]
    [InlineData("")]
    public void Push_buffer_bytes_must_be_a_positive_whole_number_of_bytes(string text) =>
        Assert.Contains(Errors("--push-buffer-bytes", text), e => e.Contains("--push-buffer-bytes", StringComparison.Ordinal));

    [Fact]
    public void A_bad_push_buffer_is_reported_under_its_own_name() =>
        Assert.Contains(Errors("--push-buffer", "soon"), e => e.StartsWith("--push-buffer 'soon'", StringComparison.Ordinal));

    [Theory]
    [InlineData("127.0.0.1:9999")]
    [InlineData("0.0.0.0:1")]
    [InlineData("[::1]:9847")]
    public void Listen_takes_address_and_port(string text) => Assert.Equal(IPEndPoint.Parse(text), Valid("--listen", text).Listen);

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData(":9847")]
    public void Listen_rejects_anything_else(string text) =>
        Assert.Contains(Errors("--listen", text), e => e.Contains("--listen", StringComparison.Ordinal));

    [Theory]
    [InlineData("Node_1")]
    [InlineData("UPPER")]
    [InlineData("-leading-dash")]
    public void Node_name_must_be_a_kubernetes_name(string name) =>
        Assert.Contains(Errors("--node-name", name), e => e.Contains("--node-name", StringComparison.Ordinal));

    [Fact]
    public void A_bad_NODE_NAME_is_reported_too()
    {
        var parsed = ExporterOptions.Parse([], _ => "Bad_Name");

        Assert.Null(parsed.Options);
        Assert.Contains("Bad_Name", Assert.Single(parsed.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Log_level_must_be_a_name()
    {
        Assert.Equal(LogLevel.Warning, Valid("--log-level", "Warning").LogLevel);
        Assert.NotEmpty(Errors("--log-level", "loud"));
        Assert.NotEmpty(Errors("--log-level", "3"));
    }

    [Fact]
    public void All_errors_are_reported_together_and_unknown_options_are_errors()
    {
        var errors = Errors("--interval", "0", "--listen", "nowhere", "--colour");

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Help_lists_every_option()
    {
        var parsed = ExporterOptions.Parse(["--help"], NodeSeven);

        Assert.Null(parsed.Options);
        Assert.Empty(parsed.Errors);
        foreach (var option in new[] { "--node-name", "--proc-root", "--sys-root", "--cgroup-root", "--listen", "--interval", "--kubeconfig", "--log-level", "9847", "--push-buffer-bytes", "16Mi" })
        {
            Assert.Contains(option, parsed.HelpText, StringComparison.Ordinal);
        }
    }
}
