// Measures the facade's compressed sample storage on realistic pod series (no assertions; the
// figures go to docs/benchmarks.md). Run: dotnet run -c Release --project bench/StorageBench [pods]
// With --generated [nodes] [ticks] (defaults 200, 180): the bits of each column of facade-load's
// pods instead (GeneratedPods.cs). With --read: a pod's window decoded, with and without the pod
// table's references (ReadBench.cs).
using System.Diagnostics;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Tests.Storage;
using KubeMonitor.StorageBench;

if (args is ["--read"])
{
    ReadBench.Run();
    return;
}

if (args is ["--generated", .. var rest])
{
    GeneratedPods.Run(rest.Length > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 200,
        rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 180);
    return;
}

const int Samples = 180; // 15 minutes at 5 s
const long Retention = 900_000;
var pods = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 150_000;
var fields = SeriesData.RealisticPod.FieldCount;

Console.WriteLine($"Pod entity: {fields} fields (cpu seconds counter, memory usage, working set, disk r/w, net rx/tx), {Samples} samples at 5 s, 15 min retention");

foreach (var chunk in new[] { 120, 90, 60, 30 })
{
    foreach (var jitter in new[] { 0, 1000 })
    {
        // Encoded: the streams of exactly 180 samples. Held: after 180 to 420 samples with a
        // 15-minute retention applied after every append (as the facade does), all memory the
        // series keeps (BytesHeld) per live sample.
        var encoded = Fill(1000, chunk, jitter, Samples, Retention, retain: false, out _).Sum(s => s.EncodedBytes);
        var retained = Fill(1000, chunk, jitter, -1, Retention, retain: true, out _);
        var held = retained.Sum(s => s.BytesHeld);
        var live = retained.Sum(s => (long)s.Count);
        var hour = Fill(300, chunk, jitter, -1, 4 * Retention, retain: true, out _);
        var hourHeld = hour.Sum(s => s.BytesHeld) / (double)hour.Sum(s => (long)s.Count);
        Console.WriteLine($"chunk {chunk,3} rows, timestamp jitter +-{jitter,4} ms: {encoded / (1000.0 * Samples),5:F2} B/sample encoded, {held / (double)live,5:F2} B/sample held (1 h retention: {hourHeld,5:F2})");
    }
}

// Each field alone (minus a series with one constant column) shows where the bytes go.
var timesOnly = ColumnBytes(-1);
string[] names = ["cpu seconds", "memory usage", "working set", "disk read", "disk write", "net rx", "net tx"];
for (var f = 0; f < fields; f++) Console.WriteLine($"  {names[f],-13} {(ColumnBytes(f) - timesOnly) * 8.0 / (1000 * Samples),5:F1} bits/sample");
Console.WriteLine($"  {"timestamps",-13} {timesOnly * 8.0 / (1000 * Samples),5:F1} bits/sample (with one constant column)");

// Read of a 300 s window (60 samples + the one before) from a pod holding 15 minutes.
{
    var series = Fill(1, EntitySeries.DefaultSamplesPerChunk, 0, Samples, Retention, retain: true, out var last)[0];
    var timestamps = new List<long>(128);
    var values = new List<double>(128 * fields);
    var stopwatch = Stopwatch.StartNew();
    const int Reads = 100_000;
    var from = last - 300_000;
    for (var i = 0; i < Reads; i++)
    {
        timestamps.Clear();
        values.Clear();
        series.Read(from, last, includePrevious: true, timestamps, values);
    }
    Console.WriteLine($"Read 300 s window ({timestamps.Count} samples incl. previous): {stopwatch.Elapsed.TotalMicroseconds / Reads:F1} us per read");
}

// The whole cluster: managed heap growth for N pod entities with 15 minutes each.
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var stopwatch = Stopwatch.StartNew();
    var all = Fill(pods, EntitySeries.DefaultSamplesPerChunk, 0, -1, Retention, retain: true, out _);
    var elapsed = stopwatch.Elapsed;
    var after = GC.GetTotalMemory(forceFullCollection: true);
    var heldSum = all.Sum(s => s.BytesHeld);
    Console.WriteLine($"{pods} pods x {Samples} samples, chunks of {EntitySeries.DefaultSamplesPerChunk}: managed heap +{(after - before) / 1048576.0:F0} MiB ({(after - before) / (double)pods:F0} B per pod entity incl. objects; BytesHeld says {heldSum / (double)pods:F0}); appends took {elapsed.TotalSeconds:F1} s ({elapsed.TotalNanoseconds / ((double)pods * (Samples + 60)):F0} ns per append incl. data generation)");
    GC.KeepAlive(all);
}
return;

// Fills n pods with `rows` samples each (-1: the retention's worth plus 0 to 240 more, so that
// retention is seen at every phase of the chunk cycle) and returns them.
static EntitySeries[] Fill(int n, int chunk, int jitter, int rows, long retention, bool retain, out long lastTimestamp)
{
    var random = new Random(7);
    var result = new EntitySeries[n];
    var row = new double[SeriesData.RealisticPod.FieldCount];
    lastTimestamp = 0;
    for (var p = 0; p < n; p++)
    {
        var generator = new SeriesData.RealisticPod(random);
        var series = new EntitySeries(row.Length, chunk);
        var count = rows >= 0 ? rows : (int)(retention / SeriesData.Tick) + random.Next(0, 240);
        for (var i = 0; i < count; i++)
        {
            generator.Next(row);
            var t = SeriesData.Start + i * SeriesData.Tick + (jitter == 0 ? 0 : random.Next(-jitter, jitter + 1));
            series.Append(t, row);
            if (retain) series.DropBefore(t - retention);
            lastTimestamp = t;
        }
        result[p] = series;
    }
    return result;
}

// Encoded bytes of 1000 pods when only field f is stored (f = -1: a constant 0).
static long ColumnBytes(int f)
{
    var random = new Random(7);
    var row = new double[SeriesData.RealisticPod.FieldCount];
    long bytes = 0;
    for (var p = 0; p < 1000; p++)
    {
        var generator = new SeriesData.RealisticPod(random);
        var series = new EntitySeries(1);
        for (var i = 0; i < Samples; i++)
        {
            generator.Next(row);
            series.Append(SeriesData.Start + i * SeriesData.Tick, [f < 0 ? 0 : row[f]]);
        }
        bytes += series.EncodedBytes;
    }
    return bytes;
}
