using System.Numerics;

namespace KubeMonitor.StorageBench;

/// <summary>
/// What the columns that the generator derives from others would cost if the store predicted
/// them from the column they follow at the same instant (a container's CPU from its pod's, a
/// working set from the memory usage): a design the store does not have, priced on a model of
/// its integer code (ValueCodec: a 2-bit code, a width bit, zig-zagged bits in a width reused
/// while it fits) beside the same model of the column coded alone (docs/benchmarks.md, "What
/// predicting one column from another would save").
/// </summary>
internal static class CrossPrediction
{
    private enum Predictor
    {
        /// <summary>The column's own delta-of-delta or delta, as the store codes it.</summary>
        Alone,
        /// <summary>The reference's delta: a pod's counter is its containers' sum, a working set moves with anonymous memory.</summary>
        SameDelta,
        /// <summary>The reference's delta times the ratio of the two columns' previous deltas.</summary>
        RatioOfDeltas,
        /// <summary>The reference's level times the ratio of the two columns' previous levels.</summary>
        RatioOfLevels,
        /// <summary><see cref="RatioOfDeltas"/> while it has been the cheaper lately, else <see cref="Alone"/> (what a store would do, as its own predictor choice).</summary>
        Adaptive,
    }

    private static readonly (string Name, Predictor Predictor, bool ZeroIsOneBit)[] Ways =
    [
        ("alone", Predictor.Alone, false), ("same", Predictor.SameDelta, false), ("ratio", Predictor.RatioOfDeltas, false),
        ("levels", Predictor.RatioOfLevels, false), ("adapt", Predictor.Adaptive, false), ("adapt0", Predictor.Adaptive, true),
    ];

    /// <summary>Prints bits a pod sample of each derived column, each way, for the pods' columns as <see cref="GeneratedPods"/> reads them.</summary>
    /// <param name="podValues">Per pod: CPU seconds, memory usage, working set (then the rest), a value a tick.</param>
    /// <param name="containerValues">Per pod, per container: CPU seconds and working set.</param>
    public static void Print(double[][][] podValues, List<double[][]>[] containerValues)
    {
        static long[] Integers(double[] values, double scale) => [.. values.Select(v => (long)Math.Round(v * scale))];
        const double Microseconds = 1e6, Pages = 1.0 / 4096;
        var derived = new (string Name, Func<int, IEnumerable<(long[] Column, long[] Reference)>> Pairs)[]
        {
            ("container cpu from pod cpu", p => containerValues[p].Select(c => (Integers(c[0], Microseconds), Integers(podValues[p][0], Microseconds)))),
            ("container working set from pod's", p => containerValues[p].Select(c => (Integers(c[1], Pages), Integers(podValues[p][2], Pages)))),
            ("pod working set from memory usage", p => [(Integers(podValues[p][2], Pages), Integers(podValues[p][1], Pages))]),
        };
        var podSamples = (double)podValues.Length * podValues[0][0].Length;
        Console.WriteLine($"  {"predicted (model of the code)",-36} " + string.Join(" ", Ways.Select(w => $"{w.Name,6}")));
        var totals = new double[Ways.Length];
        foreach (var (name, pairs) in derived)
        {
            var sums = new double[Ways.Length];
            for (var p = 0; p < podValues.Length; p++)
            {
                foreach (var (column, reference) in pairs(p))
                {
                    for (var w = 0; w < Ways.Length; w++) sums[w] += Bits(column, reference, Ways[w].Predictor, Ways[w].ZeroIsOneBit);
                }
            }
            for (var w = 0; w < Ways.Length; w++) totals[w] += sums[w];
            Console.WriteLine($"  {name,-36} " + string.Join(" ", sums.Select(s => $"{s / podSamples,6:F1}")));
        }
        Console.WriteLine($"  {"the three",-36} " + string.Join(" ", totals.Select(s => $"{s / podSamples,6:F1}")));
    }

    /// <summary>Bits of <paramref name="column"/> (integers, one a tick) in the store's chunks, predicted from <paramref name="reference"/>.</summary>
    private static double Bits(long[] column, long[] reference, Predictor predictor, bool zeroIsOneBit)
    {
        const int Rows = KubeMonitor.Facade.Storage.EntitySeries.DefaultSamplesPerChunk;
        double bits = 0;
        var code = new IntegerCode();
        long lastDelta = 0;
        var ownScore = 0;   // as ValueCodec's: >= 0 the delta-of-delta, < 0 the plain delta
        var crossScore = 0; // adaptive: >= 0 the ratio of deltas, < 0 the column's own
        for (var t = 0; t < column.Length; t++)
        {
            if (t % Rows == 0)
            {
                // A chunk's first value: the new-quantum code (4 + 5 bits) and the value from 0.
                code = new IntegerCode();
                bits += 4 + 5 + code.Cost(column[t]);
                lastDelta = 0;
                ownScore = crossScore = 0;
                continue;
            }
            var delta = column[t] - column[t - 1];
            var own = ownScore >= 0 ? lastDelta : 0;
            var hasHistory = t % Rows >= 2;
            var referenceDelta = reference[t] - reference[t - 1];
            var referencePrevious = hasHistory ? reference[t - 1] - reference[t - 2] : 0;
            var cross = predictor switch
            {
                Predictor.SameDelta => referenceDelta,
                Predictor.RatioOfLevels => reference[t - 1] == 0 ? 0 : (long)Math.Round(column[t - 1] * (double)reference[t] / reference[t - 1]) - column[t - 1],
                _ => referencePrevious == 0 ? referenceDelta : (long)Math.Round(referenceDelta * (double)(column[t - 1] - column[t - 2]) / referencePrevious),
            };
            var useCross = hasHistory && predictor switch
            {
                Predictor.Alone => false,
                Predictor.Adaptive => crossScore >= 0,
                _ => true,
            };
            if (!useCross && delta == 0) bits += 1; // the repeat code
            else if (useCross && zeroIsOneBit && delta == cross) bits += 1;
            else bits += code.Cost(delta - (useCross ? cross : own));

            ownScore = Math.Clamp(ownScore + Math.Sign(LeadingZeros(delta - lastDelta) - LeadingZeros(delta)), -4, 3);
            if (hasHistory) crossScore = Math.Clamp(crossScore + Math.Sign(LeadingZeros(delta - cross) - LeadingZeros(delta - own)), -4, 3);
            lastDelta = delta;
        }
        return bits;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static int LeadingZeros(long value) => BitOperations.LeadingZeroCount(ZigZag(value));

    /// <summary>ValueCodec's integer: "10", then 0 + bits in the width of before, or 1 + a 6-bit width + bits.</summary>
    private struct IntegerCode
    {
        private int _width;

        public int Cost(long value)
        {
            var needed = 64 - LeadingZeros(value);
            if (needed <= _width && _width - needed <= 5) return 2 + 1 + _width;
            _width = needed;
            return 2 + 1 + 6 + needed;
        }
    }
}
