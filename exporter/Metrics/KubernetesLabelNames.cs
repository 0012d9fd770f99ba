using System.Globalization;

namespace KubeMonitor.Exporter.Metrics;

/// <summary>
/// Kubernetes labels as Prometheus label pairs, the way kube-state-metrics writes
/// <c>kube_pod_labels</c> (docs/api.md section 6): <c>label_</c> and the key with every character
/// outside <c>[a-zA-Z0-9_]</c> made <c>_</c> (<c>app.kubernetes.io/name</c> is
/// <c>label_app_kubernetes_io_name</c>). Unlike kube-state-metrics the key is not also put in
/// snake case: the contract names only the character rule.
/// </summary>
internal static class KubernetesLabelNames
{
    public const string Prefix = "label_";

    /// <summary>
    /// The pairs in the ordinal order of the original keys. Keys that become one name (<c>a.b</c>
    /// and <c>a/b</c>) are told apart as kube-state-metrics does: each of them gets
    /// <c>_conflict1</c>, <c>_conflict2</c>, ... in that order, skipping a suffixed name another key
    /// already has, so the same labels always give the same names whatever order they came in.
    /// </summary>
    public static List<KeyValuePair<string, string>> Of(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var keys = labels.Keys.Order(StringComparer.Ordinal).ToList();
        var names = keys.Select(key => Prefix + Sanitize(key)).ToList();
        var taken = names.ToHashSet(StringComparer.Ordinal);
        foreach (var group in Enumerable.Range(0, names.Count).GroupBy(i => names[i], StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var count = 0;
            foreach (var index in group)
            {
                string candidate;
                do candidate = string.Create(CultureInfo.InvariantCulture, $"{group.Key}_conflict{++count}");
                while (!taken.Add(candidate));
                names[index] = candidate;
            }
        }
        return [.. keys.Select((key, i) => new KeyValuePair<string, string>(names[i], labels[key]))];
    }

    /// <summary>Every character outside [a-zA-Z0-9_] becomes '_'.</summary>
    public static string Sanitize(string key) =>
        string.Create(key.Length, key, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
            }
        });
}
