using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// What the encoder and the decoder of one value column remember between samples of a chunk.
/// Both sides update it by the same rules, so nothing of it is stored in the stream. Small and
/// unmanaged: an open chunk keeps one per column, and readers stack-allocate them.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct ColumnState
{
    /// <summary>Bits of the newest value that was a number (NaN samples leave it alone).</summary>
    public ulong LastNumber;
    /// <summary>Difference of the two newest numbers in quanta; 0 when unknown.</summary>
    public long LastDelta;
    public byte Quantum;
    public byte Leading;
    public byte Trailing;
    public byte Previous;
    /// <summary>Bit width of the last integer delta-of-delta, reused while later ones fit.</summary>
    public byte IntegerWidth;
    /// <summary>Which predictor has been cheaper lately: at 0 or more the delta-of-delta
    /// (counters at a steady rate), below 0 the plain delta (gauges that wander).</summary>
    public sbyte PredictorScore;
    /// <summary>For a column predicted from another (<see cref="ColumnReferences"/>): at 0 or more
    /// that prediction has been cheaper lately than the column's own, and is used.</summary>
    public sbyte ReferenceScore;

    public static ColumnState Start => new() { Quantum = Quantizer.None, Leading = ValueCodec.NoWindow, Previous = ValueCodec.PreviousAbsent };
}

/// <summary>
/// One value column of a chunk. Each sample is one of these codes (Gorilla's XOR scheme,
/// extended because most of our values are integers in disguise):
/// <list type="bullet">
/// <item><c>0</c>: the same bits as the previous sample (an idle counter, a steady gauge, a run of absent values): 1 bit.</item>
/// <item><c>10</c> + integer: the value is an exact integer number of the column's quantum (see
/// <see cref="Quantizer"/>); the delta-of-delta of that integer follows (or the plain delta, when
/// that has been cheaper lately: gauges), zig-zagged, as <c>0</c> + bits in the previous width or
/// <c>1</c> + 6-bit width + bits. A CPU counter in microseconds costs about 22 bits where the XOR of
/// its float seconds costs 40 to 60; a steady one costs a handful.</item>
/// <item><c>110</c> + XOR: Gorilla's XOR with the newest number, reusing its leading/trailing
/// zero window (<c>0</c>) or giving a new one (<c>1</c>, 6-bit leading zeros, 6-bit length); for values
/// that are no exact decimal (ratios, -0, infinities, NaN payloads).</item>
/// <item><c>1110</c>: absent (the canonical NaN): 4 bits, and the numeric history is kept for the next number.</item>
/// <item><c>1111</c> + 5-bit quantum + integer: a new quantum (the value needs a finer one, or it is the
/// chunk's first number), then the delta from the newest number in that quantum.</item>
/// </list>
/// A column predicted from another of its row (<see cref="ColumnReferences"/>: a pod's memory usage
/// from its working set) codes, while that has lately been the cheaper prediction, <c>0</c> for
/// "the value the reference's move predicts" and <c>10</c> + integer for the difference from it;
/// its other codes are as above. After a number that changed (a running counter, a wandering
/// gauge) the first two codes swap: <c>0</c> + integer, <c>10</c> for the same bits again.
/// Every conversion is checked to give back the same bits, so decoding is bit-exact. A row of a
/// chunk writes these codes for its columns after one bit for its steady ones (see <see cref="IsSteady"/>).
/// </summary>
internal static class ValueCodec
{
    public const byte NoWindow = 255;
    public const byte PreviousNumber = 0;
    public const byte PreviousAbsent = 1;
    /// <summary>A NaN with another payload: too rare to get a repeat code.</summary>
    public const byte PreviousOtherNaN = 2;

    private static readonly ulong AbsentBits = BitConverter.DoubleToUInt64Bits(double.NaN);

    // An integer delta-of-delta reuses the previous width while it fits with at most this many
    // unused bits (so one outlier does not inflate the rest of the chunk); else it gives its own.
    private const int MaxUnusedWidth = 5;

    /// <summary>
    /// Whether the column's newest value repeated the one before it, or is absent: the columns a
    /// row's first bit covers. Requests, limits, absent sections and idle counters stay so for whole
    /// chunks; when every such column repeats in a row, that one bit (<c>0</c>) stands for all of
    /// them, and their codes are left out. The encoder and the decoder both judge it from the state
    /// before the row, so the stream holds nothing else for it.
    /// </summary>
    public static bool IsSteady(in ColumnState state) => IsSteady(state.Previous, state.LastDelta);

    /// <inheritdoc cref="IsSteady(in ColumnState)"/>
    public static bool IsSteady(byte previous, long lastDelta) =>
        previous == PreviousAbsent || (previous == PreviousNumber && lastDelta == 0);

    /// <summary>Whether a value of these bits is the column's newest again (its code would be <c>0</c>).</summary>
    public static bool Repeats(byte previous, ulong lastNumber, ulong bits) =>
        (previous == PreviousNumber && bits == lastNumber) || (previous == PreviousAbsent && bits == AbsentBits);

    /// <summary>A steady column's value again, as a <c>0</c> code would give it (which leaves the state as it is).</summary>
    public static double Repeated(in ColumnState state) =>
        state.Previous == PreviousNumber ? BitConverter.UInt64BitsToDouble(state.LastNumber) : double.NaN;

    public static void Write(ref BitWriter writer, ref ColumnState state, double value) => Write(ref writer, ref state, value, in ReferenceMove.None);

    /// <param name="reference">How the column this one is predicted from moved in the row (<see cref="ColumnReferences"/>).</param>
    public static void Write(ref BitWriter writer, ref ColumnState state, double value, in ReferenceMove reference)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        long last = 0, predicted = 0;
        var referenced = reference.Known && TryPredictFromReference(state, reference, out last, out predicted);
        if (referenced && state.ReferenceScore >= 0 && Quantizer.TryToInteger(bits, state.Quantum, out var m))
        {
            // Coded from the reference: 0 is the predicted value, 10 + integer its difference from it.
            var delta = m - last;
            if (delta == predicted)
            {
                writer.WriteBit(false);
            }
            else
            {
                writer.WriteBits(0b10, 2);
                WriteInteger(ref writer, ref state, delta - predicted);
            }
            AcceptReferenced(ref state, bits, delta, predicted);
            return;
        }
        if (Repeats(state.Previous, state.LastNumber, bits))
        {
            WriteCode(ref writer, state, RepeatCode);
            if (state.Previous == PreviousNumber)
            {
                if (referenced) ScoreReference(ref state, 0, predicted, Prediction(state));
                state.LastDelta = 0;
            }
            return;
        }
        if (bits == AbsentBits)
        {
            WriteCode(ref writer, state, AbsentCode);
            state.Previous = PreviousAbsent;
            return;
        }
        if (Quantizer.TryToInteger(bits, state.Quantum, out var n) && Quantizer.TryToInteger(state.LastNumber, state.Quantum, out var previous))
        {
            WriteCode(ref writer, state, IntegerCode);
            WriteInteger(ref writer, ref state, n - previous - Prediction(state));
            if (referenced) ScoreReference(ref state, n - previous, predicted, Prediction(state));
            Score(ref state, n - previous);
            AcceptNumber(ref state, bits, n - previous);
            return;
        }
        if (Quantizer.TryFind(bits, state.LastNumber, out var quantum, out n, out previous))
        {
            WriteCode(ref writer, state, NewQuantumCode);
            writer.WriteBits(quantum, Quantizer.IndexBits);
            WriteInteger(ref writer, ref state, n - previous);
            AcceptNewQuantum(ref state, quantum, bits, n - previous);
            return;
        }
        WriteCode(ref writer, state, XorCode);
        WriteXor(ref writer, ref state, bits ^ state.LastNumber);
        AcceptXored(ref state, bits);
    }

    /// <summary>The next value of a column that is not coded from a reference.</summary>
    /// <param name="codesByContext">Whether the first two codes swap after a change (<see cref="InContext"/>):
    /// false for chunks of format version 4 and before, which had neither that nor references.</param>
    public static double Read(ref BitReader reader, ref ColumnState state, bool codesByContext = true)
    {
        var code = reader.ReadUnary(4);
        return ReadCoded(ref reader, ref state, codesByContext ? InContext(state, code) : code);
    }

    /// <summary>The next value of a column coded from a reference (<see cref="Write(ref BitWriter, ref ColumnState, double, in ReferenceMove)"/>).</summary>
    public static double Read(ref BitReader reader, ref ColumnState state, in ReferenceMove reference)
    {
        if (!reference.Known || !TryPredictFromReference(state, reference, out var last, out var predicted)) return Read(ref reader, ref state);
        var code = reader.ReadUnary(4);
        if (state.ReferenceScore >= 0 && code <= 1)
        {
            var delta = predicted + (code == 0 ? 0 : ReadInteger(ref reader, ref state));
            var bits = BitConverter.DoubleToUInt64Bits(Quantizer.FromInteger(last + delta, state.Quantum));
            AcceptReferenced(ref state, bits, delta, predicted);
            return BitConverter.UInt64BitsToDouble(bits);
        }
        code = InContext(state, code);
        var own = Prediction(state);
        var value = ReadCoded(ref reader, ref state, code);
        // A repeat or an integer in the column's quantum: its delta is now the newest (the encoder scores it as it writes it).
        if (code is RepeatCode or IntegerCode) ScoreReference(ref state, state.LastDelta, predicted, own);
        return value;
    }

    /// <summary>The value after its code (<paramref name="code"/>, as <see cref="InContext"/> gives it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ReadCoded(ref BitReader reader, ref ColumnState state, int code)
    {
        switch (code)
        {
            case RepeatCode:
                if (state.Previous != PreviousNumber) return double.NaN;
                state.LastDelta = 0;
                return BitConverter.UInt64BitsToDouble(state.LastNumber);
            case IntegerCode:
            {
                Quantizer.TryToInteger(state.LastNumber, state.Quantum, out var previous);
                var n = previous + Prediction(state) + ReadInteger(ref reader, ref state);
                var bits = BitConverter.DoubleToUInt64Bits(Quantizer.FromInteger(n, state.Quantum));
                Score(ref state, n - previous);
                AcceptNumber(ref state, bits, n - previous);
                return BitConverter.UInt64BitsToDouble(bits);
            }
            case XorCode:
            {
                var bits = state.LastNumber ^ ReadXor(ref reader, ref state);
                AcceptXored(ref state, bits);
                return BitConverter.UInt64BitsToDouble(bits);
            }
            case AbsentCode:
                state.Previous = PreviousAbsent;
                return double.NaN;
            default:
            {
                var quantum = (byte)reader.ReadBits(Quantizer.IndexBits);
                Quantizer.TryToInteger(state.LastNumber, quantum, out var previous);
                var n = previous + ReadInteger(ref reader, ref state);
                var bits = BitConverter.DoubleToUInt64Bits(Quantizer.FromInteger(n, quantum));
                AcceptNewQuantum(ref state, quantum, bits, n - previous);
                return BitConverter.UInt64BitsToDouble(bits);
            }
        }
    }

    // The codes by their index: that many 1 bits, then a 0 (the last, 1111, has none).
    private const int RepeatCode = 0, IntegerCode = 1, XorCode = 2, AbsentCode = 3, NewQuantumCode = 4;

    private static void WriteCode(ref BitWriter writer, in ColumnState state, int code)
    {
        code = InContext(state, code);
        if (code == NewQuantumCode) writer.WriteBits(0b1111, 4);
        else writer.WriteBits((1UL << (code + 1)) - 2, code + 1);
    }

    /// <summary>
    /// A column whose newest number differs from the one before (a counter that runs, a gauge that
    /// wanders) most likely changes again: then <c>0</c> is the integer code and <c>10</c> the
    /// repeat, one bit less for most of its values (docs/benchmarks.md, "Values coded from the
    /// value they move with"). Either way round, for the writer and the reader alike.
    /// </summary>
    private static int InContext(in ColumnState state, int code) =>
        code <= IntegerCode && state.Previous == PreviousNumber && state.LastDelta != 0 ? code ^ 1 : code;

    /// <summary>The expected delta: the last one (delta-of-delta) or none (plain delta).</summary>
    private static long Prediction(in ColumnState state) => state.PredictorScore >= 0 ? state.LastDelta : 0;

    /// <summary>
    /// The column's delta as its reference's move predicts it: the reference's delta scaled by the
    /// ratio of the two columns' deltas in the row before (the same delta when the reference did
    /// not move then), in the column's quanta. None when the reference holds no number now, or the
    /// column's newest value is no integer of its quantum (<paramref name="last"/> is that integer).
    /// </summary>
    private static bool TryPredictFromReference(in ColumnState state, in ReferenceMove reference, out long last, out long predicted)
    {
        predicted = 0;
        last = 0;
        if (!reference.Known || state.Previous != PreviousNumber || !Quantizer.TryToInteger(state.LastNumber, state.Quantum, out last)) return false;
        predicted = reference.PreviousDelta == 0 ? reference.Delta : Scaled(reference.Delta, state.LastDelta, reference.PreviousDelta);
        // Deltas of integers up to 2^53 are within 2^54: so is a useful prediction, and the difference
        // from it then fits the 6-bit width of an integer code.
        predicted = Math.Clamp(predicted, -MaxPrediction, MaxPrediction);
        return true;
    }

    private const long MaxPrediction = 1L << 54;

    /// <summary><paramref name="value"/> x <paramref name="numerator"/> / <paramref name="denominator"/>, rounded half away from zero, exact.</summary>
    private static long Scaled(long value, long numerator, long denominator)
    {
        var high = Math.BigMul(value, numerator, out long low);
        if (high == low >> 63 && low != long.MinValue && denominator != long.MinValue)
        {
            // The product fits 64 bits (nearly always): a 128-bit division costs several times more.
            var (q, r) = Math.DivRem(low, denominator);
            if (r != 0 && Math.Abs(r) >= Math.Abs(denominator) - Math.Abs(r)) q += (low < 0) ^ (denominator < 0) ? -1 : 1;
            return Math.Clamp(q, -MaxPrediction, MaxPrediction);
        }
        var (quotient, remainder) = Int128.DivRem((Int128)value * numerator, denominator);
        if (Int128.Abs(remainder) * 2 >= Int128.Abs(denominator)) quotient += (value < 0) ^ (numerator < 0) ^ (denominator < 0) ? -1 : 1;
        return (long)Int128.Clamp(quotient, -MaxPrediction, MaxPrediction);
    }

    /// <summary>After a value coded from the reference: both scores learn from it, and it is the newest.</summary>
    private static void AcceptReferenced(ref ColumnState state, ulong bits, long delta, long predicted)
    {
        ScoreReference(ref state, delta, predicted, Prediction(state));
        Score(ref state, delta);
        AcceptNumber(ref state, bits, delta);
    }

    /// <summary>Moves the reference score towards whichever prediction, the reference's or the column's own (<paramref name="own"/>, before the value), would have needed fewer bits for <paramref name="delta"/>.</summary>
    private static void ScoreReference(ref ColumnState state, long delta, long predicted, long own)
    {
        var ownBits = BitOperations.LeadingZeroCount(ZigZag.Encode(delta - own));
        var referencedBits = BitOperations.LeadingZeroCount(ZigZag.Encode(delta - predicted));
        var score = state.ReferenceScore + Math.Sign(referencedBits - ownBits);
        state.ReferenceScore = (sbyte)Math.Clamp(score, -4, 3);
    }

    /// <summary>Moves the score towards the predictor that would have needed fewer bits for <paramref name="delta"/>.</summary>
    private static void Score(ref ColumnState state, long delta)
    {
        var plain = BitOperations.LeadingZeroCount(ZigZag.Encode(delta));
        var ofDelta = BitOperations.LeadingZeroCount(ZigZag.Encode(delta - state.LastDelta));
        var score = state.PredictorScore + Math.Sign(ofDelta - plain);
        state.PredictorScore = (sbyte)Math.Clamp(score, -4, 3);
    }

    /// <summary>The chunk's first number has no real delta (it was taken from 0): it must not
    /// become the prediction for the second.</summary>
    private static void AcceptNewQuantum(ref ColumnState state, byte quantum, ulong bits, long delta)
    {
        var first = state.Quantum == Quantizer.None;
        state.Quantum = quantum;
        AcceptNumber(ref state, bits, first ? 0 : delta);
    }

    private static void AcceptNumber(ref ColumnState state, ulong bits, long delta)
    {
        state.LastNumber = bits;
        state.LastDelta = delta;
        state.Previous = PreviousNumber;
    }

    /// <summary>After an XORed value: the integer history goes on if both ends happen to be exact in the quantum.</summary>
    private static void AcceptXored(ref ColumnState state, ulong bits)
    {
        if (double.IsNaN(BitConverter.UInt64BitsToDouble(bits)))
        {
            state.Previous = PreviousOtherNaN;
            return;
        }
        var delta = Quantizer.TryToInteger(bits, state.Quantum, out var n) && Quantizer.TryToInteger(state.LastNumber, state.Quantum, out var previous)
            ? n - previous
            : 0;
        AcceptNumber(ref state, bits, delta);
    }

    private static void WriteInteger(ref BitWriter writer, ref ColumnState state, long value)
    {
        var zigzag = ZigZag.Encode(value);
        // At most 57 bits: deltas of integers up to 2^53 in magnitude.
        var needed = 64 - BitOperations.LeadingZeroCount(zigzag);
        if (needed <= state.IntegerWidth && state.IntegerWidth - needed <= MaxUnusedWidth)
        {
            writer.WriteBit(false);
        }
        else
        {
            writer.WriteBit(true);
            writer.WriteBits((ulong)needed, 6);
            state.IntegerWidth = (byte)needed;
        }
        writer.WriteBits(zigzag, state.IntegerWidth);
    }

    private static long ReadInteger(ref BitReader reader, ref ColumnState state)
    {
        if (reader.ReadBit()) state.IntegerWidth = (byte)reader.ReadBits(6);
        return ZigZag.Decode(reader.ReadBits(state.IntegerWidth));
    }

    private static void WriteXor(ref BitWriter writer, ref ColumnState state, ulong xor)
    {
        // A zero XOR (the newest number again after an absent sample) is written as one zero bit.
        var leading = xor == 0 ? 63 : BitOperations.LeadingZeroCount(xor);
        var trailing = xor == 0 ? 0 : BitOperations.TrailingZeroCount(xor);
        if (state.Leading != NoWindow && leading >= state.Leading && trailing >= state.Trailing)
        {
            writer.WriteBit(false);
            writer.WriteBits(xor >> state.Trailing, 64 - state.Leading - state.Trailing);
            return;
        }
        var significant = 64 - leading - trailing;
        writer.WriteBit(true);
        writer.WriteBits((ulong)leading, 6);
        writer.WriteBits((ulong)(significant & 63), 6); // 64 is written as 0
        writer.WriteBits(xor >> trailing, significant);
        state.Leading = (byte)leading;
        state.Trailing = (byte)trailing;
    }

    private static ulong ReadXor(ref BitReader reader, ref ColumnState state)
    {
        if (reader.ReadBit())
        {
            state.Leading = (byte)reader.ReadBits(6);
            var length = (int)reader.ReadBits(6);
            if (length == 0) length = 64;
            state.Trailing = (byte)(64 - state.Leading - length);
        }
        var significant = 64 - state.Leading - state.Trailing;
        return reader.ReadBits(significant) << state.Trailing;
    }
}
