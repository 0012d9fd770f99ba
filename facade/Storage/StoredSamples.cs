using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// The embedded store as a <see cref="ISampleSource"/>: raw rows read under each entity's lock,
/// lists in the order of the sorted pod index, rollups split over the cores.
/// </summary>
internal sealed class StoredSamples(InMemoryMetricsStore store, IOptions<FacadeOptions> options, StoreReadiness readiness) : ISampleSource
{
    /// <summary>Rollups over at least this many pods are read in parallel parts.</summary>
    internal const int ParallelRollupPods = 2048;

    private readonly EntityDirectory _directory = store.Directory;
    private readonly FacadeOptions _options = options.Value;

    public TimeSpan MaxWindow => _options.Retention;

    public bool StepsEverySeries => false;

    public Task<string?> NotReadyAsync(CancellationToken cancellationToken) => Task.FromResult(readiness.NotReadyReason);

    private long FreshSince(long nowMs) => nowMs - (long)_options.Staleness.TotalMilliseconds;

    public Task<IReadOnlyList<NodeLatest>> NodesAsync(long nowMs, long rateSpanMs, CancellationToken cancellationToken)
    {
        var freshSinceMs = FreshSince(nowMs);
        IReadOnlyList<NodeLatest> nodes = [.. _directory.Nodes.Select(n => n.Latest(freshSinceMs, rateSpanMs)).OfType<NodeLatest>().OrderBy(n => n.Name, StringComparer.Ordinal)];
        return Task.FromResult(nodes);
    }

    public Task<NodeLatest?> NodeAsync(string name, long nowMs, long rateSpanMs, CancellationToken cancellationToken) =>
        Task.FromResult(_directory.Node(name)?.Latest(FreshSince(nowMs), rateSpanMs));

    public Task<RawRows?> NodeRowsAsync(string name, long fromMs, long nowMs, CancellationToken cancellationToken) =>
        Task.FromResult(_directory.Node(name)?.Rows(FreshSince(nowMs), fromMs, nowMs));

    public Task<IEnumerable<PodLatest>> PodsAsync(PodSelector selector, long nowMs, long rateSpanMs, CancellationToken cancellationToken) =>
        Task.FromResult(LivePods(selector, FreshSince(nowMs), rateSpanMs));

    /// <summary>Lazy: a list answer is written while it is read, so its memory does not grow with the list.</summary>
    private IEnumerable<PodLatest> LivePods(PodSelector selector, long freshSinceMs, long rateSpanMs)
    {
        // The selector's node and labels are checked before the rows are decoded, not after.
        Func<PodIdentity, bool> admits = selector.Admits;
        foreach (var pod in _directory.Matching(selector))
        {
            if (pod.LatestIfMatching(admits, freshSinceMs, rateSpanMs) is { } latest) yield return latest;
        }
    }

    public Task<PodLatestPage> PodsPageAsync(PodSelector selector, long nowMs, PodKey? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var freshSinceMs = FreshSince(nowMs);
        var index = _directory.SortedPods();
        PodEntity[] pods;
        int start, end;
        if (selector.Node is { } node)
        {
            var onNode = index.OnNode(node, selector.Namespace);
            (pods, start, end) = (onNode, 0, onNode.Length);
            if (after is { } cursor) start = PodIndex.FirstAfter(onNode, cursor);
        }
        else
        {
            pods = index.Entities;
            (start, end) = selector.Namespace is { } ns ? index.NamespaceRange(ns) : (0, index.Count);
            if (after is { } cursor) start = Math.Max(start, PodIndex.FirstAfter(index.Entities, cursor));
        }
        // One pod more than asked tells whether another page follows.
        var found = new List<PodLatest>(Math.Min(limit + 1, Math.Max(0, end - start)));
        for (var i = start; i < end && found.Count <= limit; i++)
        {
            var pod = pods[i];
            if (selector.Name is not null && pod.Key.Name != selector.Name) continue;
            if (pod.Latest(freshSinceMs) is { } latest && selector.Admits(latest.Pod)) found.Add(latest);
        }
        var more = found.Count > limit;
        if (more) found.RemoveAt(limit);
        return Task.FromResult(new PodLatestPage(found, more));
    }

    public Task<PodRows?> PodRowsAsync(PodKey pod, long fromMs, long nowMs, CancellationToken cancellationToken)
    {
        var entity = _directory.Matching(new PodSelector(Namespace: pod.Namespace, Name: pod.Name)).FirstOrDefault();
        return Task.FromResult(entity?.Rows(FreshSince(nowMs), fromMs, nowMs));
    }

    public Task<int> ReadPodRowsAsync(
        PodSelector selector, Func<PodIdentity, bool> keep, long fromMs, long nowMs, Func<IPodRowsSink> newSink, CancellationToken cancellationToken)
    {
        var freshSinceMs = FreshSince(nowMs);
        bool Admitted(PodIdentity pod) => selector.Admits(pod) && keep(pod);
        var matching = _directory.Matching(selector);
        var pods = matching as IReadOnlyList<PodEntity> ?? [.. matching];
        // A big rollup (a namespace of 10,000 pods) decodes every pod's window: split it over the
        // cores, each part into its own sink.
        var parts = pods.Count >= ParallelRollupPods ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1;
        var sinks = Enumerable.Range(0, parts).Select(_ => newSink()).ToArray();
        var read = new int[parts];
        void ReadPart(int part)
        {
            var timestamps = new List<long>();
            var values = new List<double>();
            for (var i = part * pods.Count / parts; i < (part + 1) * pods.Count / parts; i++)
            {
                timestamps.Clear();
                values.Clear();
                if (!pods[i].ReadIfMatching(Admitted, freshSinceMs, fromMs, nowMs, timestamps, values)) continue;
                read[part]++;
                sinks[part].Add(CollectionsMarshal.AsSpan(timestamps), CollectionsMarshal.AsSpan(values));
            }
        }
        if (parts == 1) ReadPart(0);
        else Parallel.For(0, parts, new ParallelOptions { CancellationToken = cancellationToken }, ReadPart);
        return Task.FromResult(read.Sum());
    }
}
