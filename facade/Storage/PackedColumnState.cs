using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// A <see cref="ColumnState"/> as an open chunk keeps it between appends: 16 bytes where the
/// working struct takes 24. At 150,000 pods the open chunks hold five million of them
/// (docs/benchmarks.md). The small fields share one word; a delta that does not fit 32 bits (rare:
/// counters that jump by more than 2^31 quanta in one sample) is kept aside by the series, in an
/// array it makes only then, and marked here by <see cref="WideDelta"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct PackedColumnState
{
    /// <summary>The delta is in the series' array of wide deltas.</summary>
    public const int WideDelta = int.MinValue;

    // Bit fields of _small, low to high: quantum 5, leading 7, trailing 6, previous 2, integer
    // width 6, predictor score 3 and reference score 3 (each offset by 4): all 32. The "none"
    // markers get the largest code of their field (a quantum's index is below Quantizer.Count, 22).
    private const int QuantumBits = 5, LeadingBits = 7, TrailingBits = 6, PreviousBits = 2, WidthBits = 6, ScoreBits = 3;
    private const int LeadingShift = QuantumBits;
    private const int TrailingShift = LeadingShift + LeadingBits;
    private const int PreviousShift = TrailingShift + TrailingBits;
    private const int WidthShift = PreviousShift + PreviousBits;
    private const int ScoreShift = WidthShift + WidthBits;
    private const int ReferenceScoreShift = ScoreShift + ScoreBits;
    private const uint NoQuantum = (1u << QuantumBits) - 1;
    private const uint NoWindow = (1u << LeadingBits) - 1;
    private const int ScoreOffset = 4;

    private ulong _lastNumber;
    private int _lastDelta;
    private uint _small;

    public static PackedColumnState Start { get; } = Pack(ColumnState.Start, out _);

    /// <summary>The bits of the newest number (NaN samples leave it alone), as <see cref="ColumnState.LastNumber"/>.</summary>
    public readonly ulong LastNumber => _lastNumber;

    public readonly byte Previous => (byte)((_small >> PreviousShift) & ((1u << PreviousBits) - 1));

    /// <summary><see cref="ValueCodec.IsSteady"/> without unpacking (a wide delta is never 0).</summary>
    public readonly bool IsSteady => ValueCodec.IsSteady(Previous, _lastDelta);

    /// <summary>Whether <paramref name="value"/> has the bits of this column's newest value (a <c>0</c> code).</summary>
    public readonly bool Repeats(double value) => ValueCodec.Repeats(Previous, _lastNumber, BitConverter.DoubleToUInt64Bits(value));

    /// <summary>Whether every field of <paramref name="state"/> has room here. Always so for an
    /// encoder's own state; a decoder's may not be, after a stream that is not well formed.</summary>
    public static bool CanHold(in ColumnState state) =>
        (state.Quantum < NoQuantum || state.Quantum == Quantizer.None)
        && (state.Leading < NoWindow || state.Leading == ValueCodec.NoWindow)
        && state.Trailing < 1 << TrailingBits
        && state.Previous < 1 << PreviousBits
        && state.IntegerWidth < 1 << WidthBits
        && state.PredictorScore + ScoreOffset is >= 0 and < 1 << ScoreBits
        && state.ReferenceScore + ScoreOffset is >= 0 and < 1 << ScoreBits;

    /// <summary>Packs <paramref name="state"/>, which <see cref="CanHold"/>; <paramref name="wideDelta"/>
    /// is true when its delta must be kept aside (this then holds <see cref="WideDelta"/>).</summary>
    public static PackedColumnState Pack(in ColumnState state, out bool wideDelta)
    {
        wideDelta = state.LastDelta is < int.MinValue + 1 or > int.MaxValue;
        var quantum = state.Quantum == Quantizer.None ? NoQuantum : state.Quantum;
        var leading = state.Leading == ValueCodec.NoWindow ? NoWindow : state.Leading;
        return new PackedColumnState
        {
            _lastNumber = state.LastNumber,
            _lastDelta = wideDelta ? WideDelta : (int)state.LastDelta,
            _small = quantum
                | leading << LeadingShift
                | (uint)state.Trailing << TrailingShift
                | (uint)state.Previous << PreviousShift
                | (uint)state.IntegerWidth << WidthShift
                | (uint)(state.PredictorScore + ScoreOffset) << ScoreShift
                | (uint)(state.ReferenceScore + ScoreOffset) << ReferenceScoreShift,
        };
    }

    /// <param name="wideDeltas">The series' deltas kept aside, indexed by column; read only when this one is.</param>
    public readonly ColumnState Unpack(long[]? wideDeltas, int column)
    {
        var quantum = _small & NoQuantum;
        var leading = (_small >> LeadingShift) & NoWindow;
        return new ColumnState
        {
            LastNumber = _lastNumber,
            LastDelta = _lastDelta == WideDelta ? wideDeltas![column] : _lastDelta,
            Quantum = quantum == NoQuantum ? Quantizer.None : (byte)quantum,
            Leading = leading == NoWindow ? ValueCodec.NoWindow : (byte)leading,
            Trailing = (byte)((_small >> TrailingShift) & ((1u << TrailingBits) - 1)),
            Previous = Previous,
            IntegerWidth = (byte)((_small >> WidthShift) & ((1u << WidthBits) - 1)),
            PredictorScore = (sbyte)((int)((_small >> ScoreShift) & ((1u << ScoreBits) - 1)) - ScoreOffset),
            ReferenceScore = (sbyte)((int)((_small >> ReferenceScoreShift) & ((1u << ScoreBits) - 1)) - ScoreOffset),
        };
    }
}
