namespace KubeMonitor.Facade.Storage;

// What a sample source hands up: raw values in the columns of the field tables (Fields.cs), with
// the times they were taken. No rate, no view: the layer above computes those, the same way for
// every source.

/// <summary>
/// A pod as its newest sample describes it; <see cref="Deployment"/> is what the collector sent,
/// if anything (docs/api.md section 5); <see cref="Labels"/> null when none were sent.
/// </summary>
internal sealed record PodIdentity(
    string Namespace, string Name, string? Node, string? Uid, string? OwnerKind, string? OwnerName, string? Deployment, LabelSet? Labels = null)
{
    public PodKey Key => new(Namespace, Name);
}

/// <summary>
/// A series' newest row and the base of its rates, if there is one: with a rate span of
/// <see cref="PreviousRow"/> the row just before the newest; with a span S &gt; 0 the oldest row in
/// <c>[newest - S, newest)</c>, or the row just before the newest when none is that close
/// (metrics.k8s.io with <c>Facade:MetricsApi:Window</c>, docs/api.md section 7).
/// </summary>
internal readonly record struct LatestRows(long TimestampMs, double[] Values, long PreviousMs, double[]? Previous)
{
    /// <summary>The rate span of latest views: the base is the row just before the newest.</summary>
    public const long PreviousRow = 0;
}

/// <summary>
/// A series' rows in a window, oldest first, row-major (<see cref="FieldCount"/> values a row).
/// The first row may be older than the window: it is the base of the first rate.
/// </summary>
internal sealed record RawRows(long[] Timestamps, double[] Values, int FieldCount)
{
    public int Count => Timestamps.Length;

    public ReadOnlySpan<double> Row(int index) => Values.AsSpan(index * FieldCount, FieldCount);
}

internal sealed record NodeLatest(string Name, LatestRows Rows, LabelSet? Labels = null);

internal sealed record ContainerLatest(string Name, LatestRows Rows);

/// <summary>A live pod's newest rows, and those of the containers that were in its newest sample, ordered by name.</summary>
internal sealed record PodLatest(PodIdentity Pod, LatestRows Rows, IReadOnlyList<ContainerLatest> Containers);

internal sealed record ContainerRows(string Name, RawRows Rows);

/// <summary>A live pod's rows in a window, and each of its containers' rows, ordered by name.</summary>
internal sealed record PodRows(PodLatest Latest, RawRows Rows, IReadOnlyList<ContainerRows> Containers);

/// <summary>Which pods: null parts match every pod.</summary>
internal sealed record PodSelector(string? Namespace = null, string? Node = null, string? Name = null, LabelSelector? Labels = null)
{
    /// <summary>Whether what a pod's samples say of it (its newest node and labels) passes the node and label parts.</summary>
    public bool Admits(PodIdentity pod) => (Node is null || pod.Node == Node) && (Labels is null || Labels.Matches(pod.Labels));
}

/// <summary>Live pods in (namespace, name) order after a cursor, and whether more follow.</summary>
internal sealed record PodLatestPage(IReadOnlyList<PodLatest> Items, bool More);

/// <summary>
/// Takes pods' rows one pod at a time (a rollup's running sums). A source may read in parallel:
/// it then asks for one sink per part and never calls one sink from two threads.
/// </summary>
internal interface IPodRowsSink
{
    /// <param name="timestamps">The pod's sample times in the window, oldest first (the first may be the base before it).</param>
    /// <param name="values">Row-major, <see cref="PodFields.Count"/> values a row.</param>
    void Add(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values);
}
