using System.Globalization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>One pod's resource metric as the HPA keeps it: milli-units, the sample's time and window.</summary>
internal sealed record PodMetric(DateTime Timestamp, TimeSpan Window, long Value);

/// <summary>
/// The HorizontalPodAutoscaler's resource metrics call, written after its Go original
/// (k8s.io/kubernetes pkg/controller/podautoscaler/metrics/client.go, GetResourceMetric and
/// getPodMetrics): list the PodMetrics of a namespace with the target's label selector, sum each
/// pod's containers in milli-units (a quantity's MilliValue rounds up), leave out a pod with no
/// containers or a container without the resource, keep each pod's timestamp and window, and
/// answer the first item's timestamp; no items is an error.
/// </summary>
internal static partial class PodautoscalerMetricsClient
{
    public static async Task<(Dictionary<string, PodMetric> Pods, DateTime Timestamp)> GetResourceMetricAsync(
        IKubernetes client, string resource, string @namespace, string selector)
    {
        var metrics = await client.CustomObjects.ListNamespacedCustomObjectAsync<PodMetricsList>(
            "metrics.k8s.io", "v1beta1", @namespace, "pods", labelSelector: selector);
        if (metrics.Items is null || !metrics.Items.Any()) throw new InvalidOperationException("no metrics returned from resource metrics API");

        var pods = new Dictionary<string, PodMetric>(StringComparer.Ordinal);
        foreach (var m in metrics.Items)
        {
            long podSum = 0;
            var missing = m.Containers is null || m.Containers.Count == 0;
            foreach (var c in m.Containers ?? [])
            {
                if (c.Usage is null || !c.Usage.TryGetValue(resource, out var value))
                {
                    missing = true;
                    break;
                }
                podSum += MilliValue(value);
            }
            if (!missing) pods[m.Metadata.Name] = new PodMetric(m.Timestamp!.Value, ParseGoDuration(m.Window), podSum);
        }
        return (pods, metrics.Items.First().Timestamp!.Value);
    }

    /// <summary>Go's Quantity.MilliValue: the value in thousandths, rounded up.</summary>
    public static long MilliValue(ResourceQuantity quantity) => (long)decimal.Ceiling(quantity.ToDecimal() * 1000m);

    /// <summary>time.ParseDuration for the units a window uses ("10s", "1m0s", "5.002s", "1h2m3.5s", "250ms").</summary>
    public static TimeSpan ParseGoDuration(string text)
    {
        var parts = GoDurationPart().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text) throw new FormatException($"'{text}' is not a Go duration.");
        return parts.Aggregate(TimeSpan.Zero, (sum, part) =>
        {
            var number = double.Parse(part.Groups["n"].Value, CultureInfo.InvariantCulture);
            return sum + part.Groups["u"].Value switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                "us" or "µs" => TimeSpan.FromMicroseconds(number),
                _ => TimeSpan.FromTicks((long)(number / 100)),
            };
        });
    }

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)(?<u>h|ms|m|s|us|µs|ns)")]
    private static partial Regex GoDurationPart();
}
