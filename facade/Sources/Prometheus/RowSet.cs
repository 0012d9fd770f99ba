using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// One entity's rows, built from its series in any order: a sample goes to the row of its
/// timestamp (one scrape stamps every series of a target alike) in its metric's column, summed
/// with the other series of that metric (a node's disks). A column with no sample at a time stays
/// NaN, as everywhere in the field tables.
/// </summary>
internal sealed class RowSet(int fieldCount)
{
    private readonly Dictionary<long, double[]> _rows = [];

    public int FieldCount => fieldCount;

    public bool IsEmpty => _rows.Count == 0;

    /// <summary>The newest row's time, or <see cref="long.MinValue"/> while empty.</summary>
    public long NewestMs { get; private set; } = long.MinValue;

    /// <summary>The oldest row's time, or <see cref="long.MaxValue"/> while empty.</summary>
    public long OldestMs { get; private set; } = long.MaxValue;

    /// <summary>Adds a series' samples to a column; NaN samples (no value) are left out.</summary>
    public void Add(int column, ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values)
    {
        for (var i = 0; i < timestamps.Length; i++)
        {
            var value = values[i];
            if (double.IsNaN(value)) continue;
            var timestamp = timestamps[i];
            if (!_rows.TryGetValue(timestamp, out var row))
            {
                row = new double[fieldCount];
                Array.Fill(row, double.NaN);
                _rows.Add(timestamp, row);
                if (timestamp > NewestMs) NewestMs = timestamp;
                if (timestamp < OldestMs) OldestMs = timestamp;
            }
            row[column] = double.IsNaN(row[column]) ? value : row[column] + value;
        }
    }

    public bool HasRowAt(long timestampMs) => _rows.ContainsKey(timestampMs);

    /// <summary>The newest row and the base of its rates (<see cref="LatestRows"/>: the row before it, or the oldest within the span). Not on an empty set.</summary>
    public LatestRows Latest(long rateSpanMs = LatestRows.PreviousRow)
    {
        long newest = long.MinValue, previous = long.MinValue;
        foreach (var timestamp in _rows.Keys)
        {
            if (timestamp > newest) (previous, newest) = (newest, timestamp);
            else if (timestamp > previous) previous = timestamp;
        }
        if (previous == long.MinValue) return new LatestRows(newest, _rows[newest], 0, null);
        if (rateSpanMs > 0)
        {
            foreach (var timestamp in _rows.Keys)
            {
                if (timestamp >= newest - rateSpanMs && timestamp < previous) previous = timestamp;
            }
        }
        return new LatestRows(newest, _rows[newest], previous, _rows[previous]);
    }

    /// <summary>The rows from <paramref name="fromMs"/> on, oldest first, after the last row before it (the base of the first rate).</summary>
    public RawRows From(long fromMs)
    {
        var timestamps = _rows.Keys.ToArray();
        Array.Sort(timestamps);
        var first = Array.BinarySearch(timestamps, fromMs);
        // The first row at or after fromMs, then one back for the base when there is one.
        first = first >= 0 ? first : ~first;
        if (first > 0) first--;
        var kept = timestamps[first..];
        var values = new double[kept.Length * fieldCount];
        for (var i = 0; i < kept.Length; i++) _rows[kept[i]].CopyTo(values, i * fieldCount);
        return new RawRows(kept, values, fieldCount);
    }
}
