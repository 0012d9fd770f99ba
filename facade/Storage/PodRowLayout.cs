using System.Collections.Concurrent;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// How a pod's rows hold its containers (store format 6): the pod's columns
/// (<see cref="PodFields"/>), then one place for each container: a presence column (1 in the rows
/// the container was in, absent in the others) and its columns (<see cref="ContainerFields"/>).
/// One series a pod, so a pod and its containers share one timestamp stream, one chunk table and
/// one series object, and a container's CPU and working set are coded from its pod's, which holds
/// them (docs/benchmarks.md, "Containers in their pod's rows").
/// </summary>
internal static class PodRowLayout
{
    /// <summary>Columns of one container's place: its presence, then its values.</summary>
    public static readonly int PlaceWidth = 1 + ContainerFields.Count;

    // A container's value coded from its pod's: the pod's cgroup holds its containers' (and the pause container's).
    private static readonly (int Container, int Pod)[] s_fromPod =
    [
        (ContainerFields.Table.Column("cpu.usageSecondsTotal"), PodFields.Table.Column("cpu.usageSecondsTotal")),
        (ContainerFields.Table.Column("memory.workingSetBytes"), PodFields.Table.Column("memory.workingSetBytes")),
    ];

    private static readonly ConcurrentDictionary<int, ColumnReferences> s_references = new();

    /// <summary>The pod's own columns in its rows.</summary>
    public static RowView Pod { get; } = RowView.First(PodFields.Count);

    /// <summary>Columns of a pod's rows with <paramref name="places"/> places for containers.</summary>
    public static int Width(int places) => PodFields.Count + places * PlaceWidth;

    /// <summary>Container place <paramref name="place"/> of a pod's rows, for the container that took it at <paramref name="sinceMs"/>.</summary>
    public static RowView Container(int place, long sinceMs)
    {
        var presence = PresenceColumn(place);
        return new RowView(presence + 1, ContainerFields.Count, presence, sinceMs);
    }

    /// <summary>The column that says whether the container of <paramref name="place"/> was in a row.</summary>
    public static int PresenceColumn(int place) => PodFields.Count + place * PlaceWidth;

    /// <summary>
    /// A pod's series with <paramref name="places"/> container places, its first chunk staggered.
    /// The pod's columns and the places are the two parts of its rows, each in a value stream of its
    /// own: a read of the pod's columns alone (a namespace's series sums 10,000 pods') decodes only theirs.
    /// </summary>
    public static EntitySeries Series(int places) => EntitySeries.Staggered(Width(places), References(places), places == 0 ? 0 : PodFields.Count);

    /// <summary>Which columns of a row with <paramref name="places"/> places are coded from which (the pod's own, and each container's from the pod's).</summary>
    public static ColumnReferences References(int places) => s_references.GetOrAdd(places, static places =>
    {
        var referenceOf = new int[Width(places)];
        Array.Fill(referenceOf, -1);
        for (var c = 0; c < PodFields.Count; c++) referenceOf[c] = PodFields.Table.ReferenceOf(c);
        for (var place = 0; place < places; place++)
        {
            var first = PresenceColumn(place) + 1;
            foreach (var (container, pod) in s_fromPod) referenceOf[first + container] = pod;
        }
        return new ColumnReferences(referenceOf);
    });
}
