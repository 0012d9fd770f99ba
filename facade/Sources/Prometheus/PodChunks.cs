using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>Some pods of a sorted key list and the matchers that select them (and maybe a few others, dropped after).</summary>
internal sealed record PodChunk(IReadOnlyList<PodKey> Keys, string Matchers);

/// <summary>
/// Splits the pods a request reads into queries of bounded size, so that neither the backend nor
/// the facade holds the samples of 150,000 pods at once. Namespaces read whole need no pod
/// matcher; otherwise a chunk names its pods in one regex.
/// </summary>
internal static class PodChunks
{
    /// <param name="all">Every live pod of the request's selector, sorted.</param>
    /// <param name="start">First index of <paramref name="all"/> to read.</param>
    /// <param name="end">One past the last.</param>
    /// <param name="maxPods">Most pods named in one regex.</param>
    /// <param name="maxWholeNamespacePods">Most pods of whole namespaces in one query; 0 for none (always name the pods).</param>
    public static List<PodChunk> Split(IReadOnlyList<PodKey> all, int start, int end, int maxPods, int maxWholeNamespacePods)
    {
        var chunks = new List<PodChunk>();
        var whole = new List<PodKey>();
        var named = new List<PodKey>();
        var i = start;
        while (i < end)
        {
            var ns = all[i].Namespace;
            var runEnd = i;
            while (runEnd < end && all[runEnd].Namespace == ns) runEnd++;
            var runLength = runEnd - i;
            var isWhole = (i == 0 || all[i - 1].Namespace != ns) && (runEnd == all.Count || all[runEnd].Namespace != ns);
            if (isWhole && runLength <= maxWholeNamespacePods)
            {
                if (whole.Count + runLength > maxWholeNamespacePods) Flush(whole, chunks, names: false);
                for (var k = i; k < runEnd; k++) whole.Add(all[k]);
            }
            else
            {
                for (var k = i; k < runEnd; k++)
                {
                    named.Add(all[k]);
                    if (named.Count == maxPods) Flush(named, chunks, names: true);
                }
            }
            i = runEnd;
        }
        Flush(whole, chunks, names: false);
        Flush(named, chunks, names: true);
        return chunks;
    }

    private static void Flush(List<PodKey> keys, List<PodChunk> chunks, bool names)
    {
        if (keys.Count == 0) return;
        var namespaces = keys.Select(k => k.Namespace).Distinct().ToList();
        var matchers = PromQl.OneOf("namespace", namespaces);
        if (names) matchers += "," + PromQl.OneOf("pod", keys.Select(k => k.Name).Distinct().ToList());
        chunks.Add(new PodChunk([.. keys], matchers));
        keys.Clear();
    }
}
