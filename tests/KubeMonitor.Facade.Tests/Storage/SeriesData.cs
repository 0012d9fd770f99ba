using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>Value and timestamp streams for the storage tests and the storage benchmark, from a seeded <see cref="Random"/>.</summary>
internal static class SeriesData
{
    public const long Start = 1_795_000_000_000; // 2026-11-18, on a 5 s tick
    public const long Tick = 5_000;

    private static readonly double[] Specials =
    [
        0.0, -0.0, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0002)),
        double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF),
        double.MaxValue, double.MinValue, 9007199254740992.0, 9007199254740994.0, -9007199254740992.0, 1e300, -1e-300, 0.1 + 0.2, 1.0 / 3, 4096.0, 1.5,
    ];

    /// <summary>A column with its own character: how the next value follows the last.</summary>
    public enum Kind { AnyBits, Special, Integer, Decimal, Repeated, Counter, FractionalCounter, Pages, Absent, Mixed }

    public static double NextValue(Random random, Kind kind, double previous) => kind switch
    {
        Kind.AnyBits => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
        Kind.Special => Specials[random.Next(Specials.Length)],
        Kind.Integer => (double)(random.NextInt64(-(1L << random.Next(1, 62)), 1L << random.Next(1, 62))),
        Kind.Decimal => random.NextInt64(-1_000_000_000_000, 1_000_000_000_000) / Math.Pow(10, random.Next(0, 12)),
        Kind.Repeated => random.Next(10) == 0 ? random.Next(-3, 4) : previous,
        Kind.Counter => (double.IsFinite(previous) ? previous : 0) + (random.Next(5) == 0 ? 0 : random.Next(0, 1 << random.Next(1, 30))),
        Kind.FractionalCounter => Math.Round((double.IsFinite(previous) ? previous : 0) + random.Next(0, 3_000_000) / 1e6, 6),
        Kind.Pages => 4096.0 * random.Next(10_000, 10_500),
        Kind.Absent => random.Next(20) == 0 ? random.Next(100) : double.NaN,
        _ => NextValue(random, (Kind)random.Next((int)Kind.Mixed), previous),
    };

    /// <summary>
    /// Columns coded from an earlier one (<see cref="ColumnReferences"/>) for a row of
    /// <paramref name="fieldCount"/>: none in a third of the series, else about a third of the
    /// columns after the first, each from one of at most <see cref="ColumnReferences.MaxReferenced"/> earlier ones.
    /// </summary>
    public static (ColumnReferences? References, int[] ReferenceOf) References(Random random, int fieldCount)
    {
        var referenceOf = new int[fieldCount];
        Array.Fill(referenceOf, -1);
        if (fieldCount < 2 || random.Next(3) == 0) return (null, referenceOf);
        var referenced = new HashSet<int>();
        for (var f = 1; f < fieldCount; f++)
        {
            if (random.Next(3) != 0) continue;
            var reference = random.Next(f);
            if (!referenced.Contains(reference) && referenced.Count == ColumnReferences.MaxReferenced) continue;
            referenced.Add(reference);
            referenceOf[f] = reference;
        }
        return (referenced.Count == 0 ? null : new ColumnReferences(referenceOf), referenceOf);
    }

    /// <summary>
    /// The next value of a column that follows <paramref name="reference"/>, the value of its
    /// reference column in the same row, in a way of its own (<paramref name="way"/>, 0 to 5): as
    /// its own kind would have it, the same, the same less a page count that drifts, a share of it
    /// in whole pages, the negated (a node's used memory from its available), or a share of it with noise.
    /// </summary>
    public static double Follow(Random random, int way, Kind kind, double reference, double previous) => way switch
    {
        1 => reference,
        2 => reference - 4096.0 * random.Next(100, 103),
        3 => Math.Round(reference * 0.85 / 4096) * 4096,
        4 => 8_000_000_000 - reference,
        5 => Math.Round(reference * 0.3 + random.Next(-50, 50), 6),
        _ => NextValue(random, kind, previous),
    };

    /// <summary>The next timestamp: mostly on the tick, sometimes jittered, a big jump, a duplicate or an older one.</summary>
    public static long NextTimestamp(Random random, long last) => random.Next(20) switch
    {
        0 => last,
        1 => last - random.Next(1, 20_000),
        2 => last + random.NextInt64(1, 1L << random.Next(1, 50)),
        3 or 4 or 5 => last + Tick + random.Next(-2_000, 2_000),
        _ => last + Tick,
    };

    /// <summary>
    /// A realistic pod (the facade's 7 pod fields: CPU seconds counter, memory usage, working set,
    /// disk read/write, network rx/tx), as an exporter on a 5 s tick would push it: CPU as
    /// microseconds / 1e6, memory in whole pages, byte counters, a restart (counters drop to
    /// small values) now and then, disk absent for pods whose runtime does not report it and the
    /// network section missing from one sample in a hundred.
    /// </summary>
    public sealed class RealisticPod
    {
        private readonly Random _random;
        private readonly double _cores;
        private readonly long _memoryPages;
        private readonly bool _hasDisk;
        private readonly int _restartEvery;
        private long _cpuMicros;
        private long _usagePages;
        private long _inactivePages;
        private long _diskRead, _diskWrite, _rx, _tx;
        private int _sample;

        public RealisticPod(Random random)
        {
            _random = random;
            _cores = Math.Exp(random.NextDouble() * 7 - 6); // 2.5 millicores .. 2.7 cores, log-uniform
            _memoryPages = random.Next(5_000, 500_000); // 20 MB .. 2 GB
            _hasDisk = random.Next(4) != 0;
            _restartEvery = random.Next(2) == 0 ? int.MaxValue : random.Next(50, 400);
            Restart();
            _cpuMicros = random.NextInt64(1_000_000, 100_000_000_000);
            _diskRead = random.NextInt64(0, 1L << 34);
            _diskWrite = random.NextInt64(0, 1L << 34);
            _rx = random.NextInt64(0, 1L << 36);
            _tx = random.NextInt64(0, 1L << 36);
        }

        public const int FieldCount = 7;

        public void Next(Span<double> values)
        {
            if (++_sample % _restartEvery == 0) Restart();
            _cpuMicros += (long)Math.Max(0, _cores * 5_000_000 * (1 + 0.2 * Gaussian()));
            _usagePages = Math.Max(100, _usagePages + (long)(Gaussian() * _memoryPages / 200));
            _inactivePages = Math.Clamp(_inactivePages + _random.Next(-20, 21), 0, _usagePages);
            if (_random.Next(10) == 0) _diskRead += 4096L * _random.Next(1, 256);
            if (_random.Next(2) == 0) _diskWrite += 4096L * _random.Next(1, 64);
            _rx += _random.Next(0, 4) == 0 ? 0 : _random.Next(60, 60_000);
            _tx += _random.Next(0, 4) == 0 ? 0 : _random.Next(60, 30_000);

            values[0] = _cpuMicros / 1e6;
            values[1] = _usagePages * 4096.0;
            values[2] = (_usagePages - _inactivePages) * 4096.0;
            values[3] = _hasDisk ? _diskRead : double.NaN;
            values[4] = _hasDisk ? _diskWrite : double.NaN;
            // Now and then a sample comes without its network section (the netns was being torn down).
            var hasNetwork = _random.Next(100) != 0;
            values[5] = hasNetwork ? _rx : double.NaN;
            values[6] = hasNetwork ? _tx : double.NaN;
        }

        private void Restart()
        {
            _cpuMicros = _random.Next(0, 1_000_000);
            _usagePages = _memoryPages;
            _inactivePages = _memoryPages / 10;
            _diskRead = _diskWrite = _rx = _tx = 0;
        }

        private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
    }
}
