using static KubeMonitor.Facade.Storage.SampleMath;

namespace KubeMonitor.Facade.Storage;

/// <summary>What every entity shares: its lock, its samples, and the sweep's bookkeeping.</summary>
internal abstract class Entity(int fieldCount, long createdMs)
{
    protected readonly Lock Gate = new();
    protected readonly EntitySeries Series = new(fieldCount);
    protected bool Retired;
    /// <summary>Writers between reservation and append; the sweep never retires an entity with one.</summary>
    public int PendingWrites;

    /// <summary>Newest sample time, or (while still empty) the time the entity was made.</summary>
    protected long NewestMs => Series.LastTimestamp ?? createdMs;

    protected static List<SampleMath.Row> ReadRows(EntitySeries series, long fromMs, long toMs)
    {
        var timestamps = new List<long>();
        var values = new List<double>();
        series.Read(fromMs, toMs, includePrevious: true, timestamps, values);
        var rows = new List<SampleMath.Row>(timestamps.Count);
        for (var i = 0; i < timestamps.Count; i++) rows.Add(RowAt(timestamps, values, series.FieldCount, i));
        return rows;
    }

    /// <summary>Under the lock: the newest sample and the one before it, if the entity is live.</summary>
    protected (SampleMath.Row? Previous, SampleMath.Row Current)? LatestPair(long freshSinceMs)
    {
        if (Retired || Series.LastTimestamp is not { } last || last < freshSinceMs) return null;
        return LatestRows(Series);
    }

    /// <summary>
    /// The newest sample and the one before it from the series' uncompressed latest rows:
    /// a latest view (GET /api/pods lists every pod) decodes no chunk.
    /// </summary>
    protected static (SampleMath.Row? Previous, SampleMath.Row Current) LatestRows(EntitySeries series)
    {
        var fieldCount = series.FieldCount;
        Span<long> timestamps = stackalloc long[2];
        Span<double> values = stackalloc double[2 * fieldCount];
        var n = series.CopyLatest(timestamps, values);
        var current = new SampleMath.Row(timestamps[n - 1], values.Slice((n - 1) * fieldCount, fieldCount).ToArray());
        return (n == 2 ? new SampleMath.Row(timestamps[0], values[..fieldCount].ToArray()) : null, current);
    }

    public virtual long BytesHeld()
    {
        lock (Gate) return Series.BytesHeld;
    }
}
