using k8s;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// The HPA's own read of pod CPU (issue 12, 3), made with KubernetesClient through the stand-in
/// kube-aggregator as the podautoscaler's metrics client makes it: the pushed millicores of each
/// selected pod, summed over its containers, with the newest sample's time and the window between
/// the two samples.
/// </summary>
public sealed class HpaMetricsTests(MetricsApiFacade facade) : IClassFixture<MetricsApiFacade>
{
    [Fact]
    public async Task The_podautoscalers_call_gets_each_selected_pods_summed_millicores_timestamp_and_window()
    {
        var (standIn, kubeconfig, _) = await facade.FrontAsync("v1.33.1");
        await using var _ = standIn;
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

        var (pods, timestamp) = await PodautoscalerMetricsClient.GetResourceMetricAsync(client, "cpu", "default", "app=web");

        var selected = PushedUsage.Pods.Where(p => p.Namespace == "default" && p.Labels["app"] == "web").ToList();
        Assert.Equal(selected.Select(p => p.Name).Order(StringComparer.Ordinal), pods.Keys.Order(StringComparer.Ordinal));
        foreach (var pod in selected)
        {
            var metric = pods[pod.Name];
            Assert.Equal(PushedUsage.Millicores(pod), metric.Value);
            Assert.Equal(PushedUsage.Window, metric.Window);
            AssertNewestSample(metric.Timestamp);
        }
        AssertNewestSample(timestamp);
        // The selector went to the facade, which chose the pods (the stand-in only forwards).
        var call = new Uri(new Uri("https://api"), Assert.Single(standIn.Proxied).PathAndQuery);
        Assert.Equal("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", call.AbsolutePath);
        Assert.Equal("app=web", Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(call.Query)["labelSelector"].ToString());
    }

    [Fact]
    public async Task Memory_is_summed_the_same_way_in_milli_bytes()
    {
        var (standIn, kubeconfig, _) = await facade.FrontAsync("v1.33.1");
        await using var _ = standIn;
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

        var (pods, _) = await PodautoscalerMetricsClient.GetResourceMetricAsync(client, "memory", "default", "tier=front");

        var pod = Assert.Single(PushedUsage.Pods, p => p.Namespace == "default" && p.Labels.GetValueOrDefault("tier") == "front");
        Assert.Equal(pod.Containers.Sum(c => c.WorkingSetBytes) * 1000, Assert.Single(pods, p => p.Key == pod.Name).Value.Value);
    }

    [Fact]
    public async Task No_selected_pod_is_the_error_the_podautoscaler_reports()
    {
        var (standIn, kubeconfig, _) = await facade.FrontAsync("v1.33.1");
        await using var _ = standIn;
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PodautoscalerMetricsClient.GetResourceMetricAsync(client, "cpu", "default", "app=none"));
        Assert.Equal("no metrics returned from resource metrics API", error.Message);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("5.002s", 5_002)]
    [InlineData("1m0s", 60_000)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("250ms", 250)]
    public void Windows_parse_as_gos_time_parse_duration_does(string window, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), PodautoscalerMetricsClient.ParseGoDuration(window));

    /// <summary>The newest sample's time; the API's timestamps may be whole seconds (metav1.Time), so within a second.</summary>
    private void AssertNewestSample(DateTime timestamp)
    {
        var difference = (new DateTimeOffset(timestamp.ToUniversalTime()) - facade.NewestSample).Duration();
        Assert.True(difference < TimeSpan.FromSeconds(1), $"timestamp {timestamp:O}, newest sample {facade.NewestSample:O}");
    }
}
