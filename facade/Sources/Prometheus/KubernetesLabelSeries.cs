using System.Text;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// <c>kubemonitor_pod_labels</c> and <c>kubemonitor_node_labels</c> (docs/api.md section 6): one
/// series of value 1 per pod or node with a <c>label_&lt;key&gt;</c> per Kubernetes label, the key
/// sanitized as kube-state-metrics does (every character outside <c>[a-zA-Z0-9_]</c> becomes
/// <c>_</c>). Keys come back sanitized, and a label with an empty value not at all (Prometheus
/// stores an empty label as none).
/// </summary>
internal static class KubernetesLabelSeries
{
    public const string PodMetric = "kubemonitor_pod_labels";
    public const string NodeMetric = "kubemonitor_node_labels";
    public const string Prefix = "label_";

    /// <summary>A Kubernetes label key as this source names it (<c>app.kubernetes.io/name</c> is <c>app_kubernetes_io_name</c>).</summary>
    public static string SanitizedKey(string key)
    {
        var sanitized = new StringBuilder(key.Length);
        foreach (var c in key) sanitized.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return sanitized.ToString();
    }

    /// <summary>The labels a series of either metric carries, keyed by sanitized key.</summary>
    public static LabelSet LabelsOf(RawSeries series) =>
        LabelSet.Of(series.Labels
            .Where(l => l.Key.StartsWith(Prefix, StringComparison.Ordinal) && l.Key.Length > Prefix.Length)
            .Select(l => new KeyValuePair<string, string>(l.Key[Prefix.Length..], l.Value)));
}
