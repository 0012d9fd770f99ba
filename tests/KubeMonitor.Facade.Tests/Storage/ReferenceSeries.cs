using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>
/// The obvious uncompressed model of <see cref="KubeMonitor.Facade.Storage.EntitySeries"/>'s
/// contract (the semantics of the packed-array version it replaced), to compare against.
/// </summary>
internal sealed class ReferenceSeries
{
    private readonly List<long> _timestamps = [];
    private readonly List<double[]> _rows = [];

    public int Count => _timestamps.Count;

    public long? LastTimestamp => _timestamps.Count == 0 ? null : _timestamps[^1];

    public string Append(long timestamp, double[] values)
    {
        if (_timestamps.Count > 0 && timestamp == _timestamps[^1]) return "Duplicate";
        if (_timestamps.Count > 0 && timestamp < _timestamps[^1]) return "OutOfOrder";
        _timestamps.Add(timestamp);
        _rows.Add((double[])values.Clone());
        return "Stored";
    }

    public int DropBefore(long min)
    {
        var n = 0;
        while (n < _timestamps.Count && _timestamps[n] < min) n++;
        _timestamps.RemoveRange(0, n);
        _rows.RemoveRange(0, n);
        return n;
    }

    public (List<long> Timestamps, List<double> Values) Read(long from, long to, bool includePrevious, RowView? view = null)
    {
        var (times, rows) = Shown(view);
        var timestamps = new List<long>();
        var values = new List<double>();
        var previous = -1;
        for (var i = 0; i < times.Count && times[i] < from; i++) previous = i;
        if (includePrevious && previous >= 0 && times[previous] <= to) Add(previous);
        for (var i = previous + 1; i < times.Count && times[i] <= to; i++) Add(i);
        return (timestamps, values);

        void Add(int i)
        {
            timestamps.Add(times[i]);
            values.AddRange(rows[i]);
        }
    }

    public (long[] Timestamps, double[] Values) Latest(int max, RowView? view = null)
    {
        var (times, rows) = Shown(view);
        var n = Math.Min(max, times.Count);
        var timestamps = times.Skip(times.Count - n).ToArray();
        var values = rows.Skip(times.Count - n).SelectMany(r => r).ToArray();
        return (timestamps, values);
    }

    /// <summary>The rows a view shows, its columns only: every row and column without one.</summary>
    private (List<long> Times, List<double[]> Rows) Shown(RowView? view)
    {
        if (view is not { } v) return (_timestamps, _rows);
        var times = new List<long>();
        var rows = new List<double[]>();
        for (var i = 0; i < _timestamps.Count; i++)
        {
            if (_timestamps[i] < v.SinceMs || (v.PresenceColumn >= 0 && double.IsNaN(_rows[i][v.PresenceColumn]))) continue;
            times.Add(_timestamps[i]);
            rows.Add(_rows[i][v.FirstColumn..(v.FirstColumn + v.ColumnCount)]);
        }
        return (times, rows);
    }
}
