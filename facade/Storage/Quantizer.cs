using System.Numerics;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Maps a double to an exact integer count of a "quantum", so that counters and gauges can be
/// stored as integer delta-of-deltas instead of XORed float bits. The ladder, coarse to fine:
/// index 0..12 are integer multiples of 2^12 .. 2^0 (memory sizes are whole 4 KiB pages, so
/// their 12 low zero bits cost nothing), 13..21 are decimals with 1..9 fraction digits (CPU
/// seconds from microseconds: 6 digits). A conversion is only accepted when turning the integer
/// back gives the very same bits, so storage stays lossless whatever the value.
/// </summary>
internal static class Quantizer
{
    public const byte None = 255;
    public const int Count = 22;
    public const int IndexBits = 5;
    private const int MaxShift = 12;
    // Integers and their products with these powers stay exact up to 2^53.
    private const double MaxExact = 9007199254740992.0;
    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

    public static bool TryToInteger(ulong bits, byte quantum, out long n)
    {
        n = 0;
        if (quantum >= Count) return false;
        var value = BitConverter.UInt64BitsToDouble(bits);
        if (quantum <= MaxShift)
        {
            if (!(Math.Abs(value) <= MaxExact)) return false;
            var integer = (long)value;
            // The bit comparison also refuses -0.0, which is not the integer 0.
            if (BitConverter.DoubleToUInt64Bits(integer) != bits) return false;
            var shift = MaxShift - quantum;
            if ((integer & ((1L << shift) - 1)) != 0) return false;
            n = integer >> shift;
            return true;
        }
        var power = PowersOfTen[quantum - MaxShift];
        var scaled = value * power;
        if (!(Math.Abs(scaled) <= MaxExact)) return false;
        n = (long)Math.Round(scaled);
        return BitConverter.DoubleToUInt64Bits(n / power) == bits;
    }

    public static double FromInteger(long n, byte quantum) => quantum <= MaxShift
        ? n << (MaxShift - quantum)
        : n / PowersOfTen[quantum - MaxShift];

    /// <summary>
    /// The coarsest quantum in which both <paramref name="bits"/> and <paramref name="previousBits"/>
    /// are exact integers (the coarser, the smaller the deltas), or false when none is.
    /// </summary>
    public static bool TryFind(ulong bits, ulong previousBits, out byte quantum, out long n, out long previous)
    {
        n = previous = 0;
        quantum = None;
        var value = BitConverter.UInt64BitsToDouble(bits);
        if (!double.IsFinite(value)) return false;
        // Start where the value itself could fit: no integer ladder step for a fraction, and no
        // step coarser than its trailing zero bits for an integer.
        var start = MaxShift + 1;
        if (Math.Abs(value) <= MaxExact && value == Math.Floor(value))
        {
            var integer = (long)value;
            start = MaxShift - (integer == 0 ? MaxShift : Math.Min(MaxShift, BitOperations.TrailingZeroCount(integer)));
        }
        for (var q = (byte)start; q < Count; q++)
        {
            if (TryToInteger(bits, q, out n) && TryToInteger(previousBits, q, out previous))
            {
                quantum = q;
                return true;
            }
        }
        return false;
    }
}
