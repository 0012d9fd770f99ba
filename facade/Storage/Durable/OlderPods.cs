namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// A pod of a checkpoint before version 6, where each container had a series of its own, made
/// into a pod whose rows hold its containers (<see cref="PodRowLayout"/>): container i takes place
/// i, and its values go into the pod's row of the same time. A container's row at a time the pod
/// has no row of (a container first seen in a push the pod's series refused as older than its
/// newest) is left out: the pod's rows are the times the store keeps.
/// </summary>
internal static class OlderPods
{
    /// <param name="pod">The pod's rows, decoded.</param>
    /// <param name="containers">Each container's rows, decoded; a name given twice is the last one's, as these versions read it.</param>
    public static PodImage Merged(PodIdentity identity, SeriesImage pod, IReadOnlyList<(string Name, SeriesImage Series)> containers)
    {
        var kept = containers.Where((c, i) => !containers.Skip(i + 1).Any(later => later.Name == c.Name)).ToList();
        var podRows = RowsOf(pod, PodFields.Count);
        var width = PodRowLayout.Width(kept.Count);
        var times = podRows.Timestamps;
        var values = new double[times.Length * width];
        Array.Fill(values, double.NaN);
        for (var r = 0; r < times.Length; r++) podRows.Values.AsSpan(r * PodFields.Count, PodFields.Count).CopyTo(values.AsSpan(r * width));

        var places = new ContainerPlace[kept.Count];
        for (var place = 0; place < kept.Count; place++)
        {
            var (name, series) = kept[place];
            var rows = RowsOf(series, ContainerFields.Count);
            var presence = PodRowLayout.PresenceColumn(place);
            long? newest = null;
            // Both in time order: walk them together.
            var r = 0;
            for (var c = 0; c < rows.Timestamps.Length; c++)
            {
                var t = rows.Timestamps[c];
                if (t < series.OldestVisibleMs) continue; // hidden in its own series
                while (r < times.Length && times[r] < t) r++;
                if (r == times.Length) break;
                if (times[r] != t) continue;
                values[r * width + presence] = 1;
                rows.Values.AsSpan(c * ContainerFields.Count, ContainerFields.Count).CopyTo(values.AsSpan(r * width + presence + 1));
                newest = t;
            }
            places[place] = new ContainerPlace(name, long.MinValue, newest);
        }
        return new PodImage(identity, new SeriesImage([], default, pod.OldestVisibleMs, new HeadRows(times, values)), places);
    }

    private static HeadRows RowsOf(SeriesImage series, int fieldCount)
    {
        var rows = series.DecodedHead ?? throw new InvalidOperationException("An older series is merged once decoded.");
        if (rows.Values.Length != rows.Timestamps.Length * fieldCount)
        {
            throw new InvalidDataException($"A series image has {rows.Values.Length} values for {rows.Timestamps.Length} rows of {fieldCount}.");
        }
        return rows;
    }
}
