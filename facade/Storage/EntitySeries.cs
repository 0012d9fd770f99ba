namespace KubeMonitor.Facade.Storage;

/// <summary>What <see cref="EntitySeries.Append"/> did with a sample.</summary>
public enum AppendResult
{
    Stored,
    /// <summary>The series already holds this timestamp: accepted, not stored twice (retries are safe).</summary>
    Duplicate,
    /// <summary>Older than the newest sample: dropped and counted.</summary>
    OutOfOrder,
}

/// <summary>
/// The samples of one entity (a node, a pod or a container): one timestamp column (Unix ms) and
/// a fixed number of value columns, appended in time order. A value of NaN means "absent in this
/// sample" (a section the collector did not send). Not thread-safe: the store locks per entity.
/// </summary>
public sealed class EntitySeries
{
    private long[] _timestamps = new long[8];
    private double[] _values;
    private int _start;
    private int _count;

    public EntitySeries(int fieldCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldCount);
        FieldCount = fieldCount;
        _values = new double[8 * fieldCount];
    }

    public int FieldCount { get; }

    /// <summary>Samples held.</summary>
    public int Count => _count;

    /// <summary>Timestamp of the newest sample, or null when empty.</summary>
    public long? LastTimestamp => _count == 0 ? null : _timestamps[_start + _count - 1];

    /// <summary>Bytes of sample data held (for the facade's own metrics and the benchmark).</summary>
    public long BytesHeld => (long)_timestamps.Length * sizeof(long) + (long)_values.Length * sizeof(double);

    public AppendResult Append(long timestampMs, ReadOnlySpan<double> values)
    {
        if (values.Length != FieldCount) throw new ArgumentException($"Expected {FieldCount} values, got {values.Length}.", nameof(values));
        if (_count > 0)
        {
            var last = _timestamps[_start + _count - 1];
            if (timestampMs == last) return AppendResult.Duplicate;
            if (timestampMs < last) return AppendResult.OutOfOrder;
        }
        if (_start + _count == _timestamps.Length) Grow();
        var index = _start + _count;
        _timestamps[index] = timestampMs;
        values.CopyTo(_values.AsSpan(index * FieldCount, FieldCount));
        _count++;
        return AppendResult.Stored;
    }

    /// <summary>Forgets every sample older than <paramref name="minTimestampMs"/>; returns how many.</summary>
    public int DropBefore(long minTimestampMs)
    {
        var dropped = 0;
        while (_count > 0 && _timestamps[_start] < minTimestampMs)
        {
            _start++;
            _count--;
            dropped++;
        }
        if (_count == 0) _start = 0;
        return dropped;
    }

    /// <summary>
    /// Appends to <paramref name="timestamps"/> and <paramref name="values"/> (row-major,
    /// <see cref="FieldCount"/> per sample) every sample with from &lt;= t &lt;= to, oldest first.
    /// With <paramref name="includePrevious"/>, the newest sample before <paramref name="fromMs"/>
    /// comes first (a window's first rate may use it). Returns the number of samples written.
    /// </summary>
    public int Read(long fromMs, long toMs, bool includePrevious, List<long> timestamps, List<double> values)
    {
        var written = 0;
        for (var i = _start; i < _start + _count; i++)
        {
            var t = _timestamps[i];
            if (t > toMs) break;
            var isPrevious = includePrevious && t < fromMs && (i + 1 == _start + _count || _timestamps[i + 1] >= fromMs);
            if (t >= fromMs || isPrevious)
            {
                timestamps.Add(t);
                for (var f = 0; f < FieldCount; f++) values.Add(_values[i * FieldCount + f]);
                written++;
            }
        }
        return written;
    }

    private void Grow()
    {
        if (_start > 0 && _count < _timestamps.Length / 2)
        {
            Array.Copy(_timestamps, _start, _timestamps, 0, _count);
            Array.Copy(_values, _start * FieldCount, _values, 0, _count * FieldCount);
            _start = 0;
            return;
        }
        Array.Resize(ref _timestamps, _timestamps.Length * 2);
        Array.Resize(ref _values, _values.Length * 2);
    }
}
