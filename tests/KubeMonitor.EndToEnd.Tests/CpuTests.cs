using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>Report check 1: one busy core in a pod for 15 s is 1.0 core in the pod, at least that in the node, and the deployment is the sum of its pods.</summary>
    [Fact]
    public async Task Cpu_stress_in_a_pod_is_one_core_for_the_pod_node_and_deployment()
    {
        using var stress = env.Stressed.Start("stress-ng", "--cpu", "1", "--timeout", "30s", "--quiet");
        try
        {
            // stress-ng can take seconds to get going on a busy host: 15 s of load count from the
            // first sample that shows it; the views are read once per sample from then on.
            var loaded = await Eventually.Until(async () =>
            {
                var view = await env.PodAsync(env.Stressed);
                return Number(view, "cpu", "usageCores") >= 0.9 ? view : null;
            }, TimeSpan.FromSeconds(20), "the stress to show in the pod", () => env.Diagnostics);
            var started = Timestamp(loaded);
            var podRates = new List<double>();
            var nodeMinusPod = new List<double>();
            var last = started;
            while (last < started.AddSeconds(14))
            {
                var pod = await env.PodAfterAsync(env.Stressed, last);
                var node = await env.GetAsync($"/api/nodes/{Node}");
                last = Timestamp(pod);
                // The node view must come from the same collection as the pod's to compare them.
                if (!SameCollection(Timestamp(node), last)) continue;
                var podCores = Number(pod, "cpu", "usageCores")!.Value;
                podRates.Add(podCores);
                nodeMinusPod.Add(Number(node, "cpu", "usageCores")!.Value - podCores);
            }
            var stressEnd = last;

            Assert.True(podRates.Count >= 5, $"Only {podRates.Count} pod samples during the stress.\n{env.Diagnostics}");
            var median = Median(podRates);
            Assert.InRange(median, 0.95, 1.05);

            // Over the whole steady part: usage seconds per second from the stored series.
            var series = await env.PodAsync(env.Stressed, "&window=30");
            var mean = MeanRate(series, "cpu", "usageCores", started, stressEnd);
            Measured($"pod mean over the stress: {mean:0.0000} cores; node minus pod: min {nodeMinusPod.Min():0.000}");
            Assert.InRange(mean, 0.95, 1.05);

            // Node CPU comes from /proc/stat ticks (10 ms per CPU per sample); the pod's from
            // cpuacct in ns, so the node may trail by those ticks in one sample, never more.
            var tickSlack = 2 * 0.01 * Environment.ProcessorCount / Interval.TotalSeconds;
            Assert.All(nodeMinusPod, difference => Assert.True(difference >= -tickSlack,
                $"Node CPU below the stressed pod's by {-difference:0.000} cores (samples: {string.Join(", ", nodeMinusPod.Select(d => d.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))})"));

            // The deployment view sums the same latest samples as the pod views.
            var read = await AggregateWithItsPodsAsync($"/api/namespaces/{TestNamespace}/deployments/{DeploymentName}", env.Stressed, env.Server);
            var podSum = read.Pods.Sum(p => Number(p, "cpu", "usageCores")!.Value);
            Assert.Equal(podSum, Number(read.Aggregate, "cpu", "usageCores")!.Value, 9);
            Assert.True(podSum >= 0.95, $"The deployment's pods use {podSum} cores during the stress.");
        }
        finally
        {
            Stop(stress);
        }
    }
}
