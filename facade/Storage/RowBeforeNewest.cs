using System.Numerics;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// The row before a series' newest, kept only where it differs from the newest (bit for bit):
/// a rate needs both rows, and most columns (requests, limits, absent sections) repeat. A pod row
/// of 21 values took 192 bytes; its changing columns take about 90 (docs/benchmarks.md). Rows of
/// more than 64 columns are kept whole.
/// </summary>
internal struct RowBeforeNewest
{
    private const int MaskedColumns = 64;

    // Bit f: column f differs from the newest row, and its value is the next one in _values.
    private ulong _differs;
    private double[]? _values;

    /// <summary>Bytes of the array held, with its CLR header (for <see cref="EntitySeries.BytesHeld"/>).</summary>
    public readonly long BytesHeld => _values is null ? 0 : 24 + (long)_values.Length * sizeof(double);

    /// <summary>Keeps <paramref name="previous"/>, given the <paramref name="newest"/> row it comes before.</summary>
    public void Keep(ReadOnlySpan<double> previous, ReadOnlySpan<double> newest)
    {
        if (previous.Length > MaskedColumns)
        {
            KeepWhole(previous);
            return;
        }
        ulong differs = 0;
        for (var f = 0; f < previous.Length; f++)
        {
            if (BitConverter.DoubleToUInt64Bits(previous[f]) != BitConverter.DoubleToUInt64Bits(newest[f])) differs |= 1UL << f;
        }
        // Grown to the most columns that ever differed, never shrunk: a row of counters differs in the same ones each time.
        var count = BitOperations.PopCount(differs);
        if (count > (_values?.Length ?? 0)) _values = new double[count];
        var next = 0;
        for (var bits = differs; bits != 0; bits &= bits - 1) _values![next++] = previous[BitOperations.TrailingZeroCount(bits)];
        _differs = differs;
    }

    /// <summary>Keeps <paramref name="previous"/> whole, for a newest row not known yet (a restore).</summary>
    public void KeepWhole(ReadOnlySpan<double> previous)
    {
        if (_values is null || _values.Length < previous.Length) _values = new double[previous.Length];
        previous.CopyTo(_values);
        _differs = previous.Length >= MaskedColumns ? ulong.MaxValue : (1UL << previous.Length) - 1;
    }

    /// <summary>Writes the row kept into <paramref name="row"/>, given the <paramref name="newest"/> row it comes before.</summary>
    public readonly void CopyTo(Span<double> row, ReadOnlySpan<double> newest)
    {
        if (row.Length > MaskedColumns)
        {
            _values.AsSpan(0, row.Length).CopyTo(row);
            return;
        }
        newest.CopyTo(row);
        var next = 0;
        for (var bits = _differs; bits != 0; bits &= bits - 1) row[BitOperations.TrailingZeroCount(bits)] = _values![next++];
    }
}
