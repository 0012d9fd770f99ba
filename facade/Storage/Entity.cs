namespace KubeMonitor.Facade.Storage;

/// <summary>What every entity shares: its lock, its samples, and the sweep's bookkeeping.</summary>
internal abstract class Entity(EntitySeries series, long createdMs)
{
    // The entity's own monitor: it costs no object until two threads contend for it, where a Lock
    // a pod was 40 B more (6 MiB at 150,000 pods). Internal, so only this class hierarchy locks it.
    protected object Gate => this;
    // Replaced only by a pod that makes room for another container (under Gate).
    protected EntitySeries Series = series;
    protected bool Retired;
    /// <summary>Writers between reservation and append; the sweep never retires an entity with one.</summary>
    public int PendingWrites;

    /// <summary>Newest sample time, or (while still empty) the time the entity was made.</summary>
    protected long NewestMs => Series.LastTimestamp ?? createdMs;

    /// <summary>Under the lock: whether the entity holds a sample no older than <paramref name="freshSinceMs"/>.</summary>
    protected bool IsLive(long freshSinceMs) => !Retired && Series.LastTimestamp is { } last && last >= freshSinceMs;

    /// <summary>Under the lock: the rows and columns of <paramref name="view"/> in [fromMs, toMs] and the one before.</summary>
    protected static RawRows ReadRows(EntitySeries series, in RowView view, long fromMs, long toMs)
    {
        var timestamps = new List<long>();
        var values = new List<double>();
        series.Read(fromMs, toMs, includePrevious: true, timestamps, values, view);
        return new RawRows([.. timestamps], [.. values], view.ColumnCount);
    }

    /// <summary>
    /// Under the lock: the newest row and the one before it from the series' uncompressed latest
    /// rows: a latest view (GET /api/pods lists every pod) decodes no chunk. With a rate span the
    /// base is the oldest row within it (<see cref="LatestRows"/>), which decodes the span's chunks.
    /// </summary>
    protected static LatestRows LatestOf(EntitySeries series, in RowView view, long rateSpanMs = LatestRows.PreviousRow) =>
        LatestOf(series, view, rateSpanMs, NewestRows.Of(series));

    /// <summary>As <see cref="LatestOf(EntitySeries, in RowView, long)"/>, from the series' newest rows copied once for several views.</summary>
    protected static LatestRows LatestOf(EntitySeries series, in RowView view, long rateSpanMs, NewestRows newest)
    {
        var fieldCount = view.ColumnCount;
        Span<long> timestamps = stackalloc long[2];
        Span<double> values = stackalloc double[2 * fieldCount];
        var n = series.CopyLatest(timestamps, values, view, newest.Timestamps, newest.Values);
        var current = values.Slice((n - 1) * fieldCount, fieldCount).ToArray();
        if (n < 2) return new LatestRows(timestamps[0], current, 0, null);
        if (rateSpanMs > 0 && OldestWithin(series, view, timestamps[1], rateSpanMs) is { } oldest && oldest.TimestampMs < timestamps[0])
        {
            return new LatestRows(timestamps[1], current, oldest.TimestampMs, oldest.Values);
        }
        return new LatestRows(timestamps[1], current, timestamps[0], values[..fieldCount].ToArray());
    }

    /// <summary>The oldest row in [newestMs - spanMs, newestMs].</summary>
    private static (long TimestampMs, double[] Values)? OldestWithin(EntitySeries series, in RowView view, long newestMs, long spanMs)
    {
        var timestamps = new List<long>();
        var values = new List<double>();
        if (series.Read(newestMs - spanMs, newestMs, includePrevious: false, timestamps, values, view) == 0) return null;
        return (timestamps[0], values.GetRange(0, view.ColumnCount).ToArray());
    }

    public virtual long BytesHeld()
    {
        lock (Gate) return Series.BytesHeld;
    }
}

/// <summary>A series' newest rows whole, at most two (<see cref="EntitySeries.CopyLatest(Span{long}, Span{double})"/>).</summary>
internal readonly record struct NewestRows(long[] Timestamps, double[] Values)
{
    public static NewestRows Of(EntitySeries series)
    {
        var timestamps = new long[2];
        var values = new double[2 * series.FieldCount];
        var n = series.CopyLatest(timestamps, values);
        return new NewestRows(timestamps[..n], values[..(n * series.FieldCount)]);
    }
}
