using System.Diagnostics;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Tests.Storage;

namespace KubeMonitor.StorageBench;

/// <summary>
/// How long a pod's 5-minute window takes to decode in the store's own layout (the pod table's
/// columns, those a realistic pod leaves out absent), coded with the table's references and
/// without them (docs/benchmarks.md, "Values coded from the value they move with").
/// </summary>
internal static class ReadBench
{
    // SeriesData.RealisticPod's order.
    private static readonly string[] RealisticPodPaths =
        ["cpu.usageSecondsTotal", "memory.usageBytes", "memory.workingSetBytes", "disk.readBytesTotal", "disk.writeBytesTotal", "network.rxBytesTotal", "network.txBytesTotal"];

    public static void Run()
    {
        foreach (var references in new[] { false, true, false, true, false, true })
        {
            var pods = Pods(references);
            var timestamps = new List<long>(128);
            var values = new List<double>(128 * PodFields.Count);
            var newest = SeriesData.Start + 179 * SeriesData.Tick;
            const int Rounds = 100;
            var stopwatch = Stopwatch.StartNew();
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var series in pods)
                {
                    timestamps.Clear();
                    values.Clear();
                    series.Read(newest - 300_000, newest, includePrevious: true, timestamps, values);
                }
            }
            Console.WriteLine($"pod table, {(references ? "with" : "without")} its references: {stopwatch.Elapsed.TotalMicroseconds / (Rounds * pods.Count):F2} us per 300 s window ({timestamps.Count} rows)");
        }
    }

    /// <summary>200 realistic pods of 15 minutes, their 7 values at the pod table's columns.</summary>
    private static List<EntitySeries> Pods(bool references)
    {
        var table = PodFields.Table;
        int[] at = [.. RealisticPodPaths.Select(table.Column)];
        var random = new Random(3);
        var pods = new List<EntitySeries>();
        for (var p = 0; p < 200; p++)
        {
            var generator = new SeriesData.RealisticPod(random);
            var series = new EntitySeries(table.Count, EntitySeries.DefaultSamplesPerChunk, 0, references ? table.References : null);
            var sample = new double[SeriesData.RealisticPod.FieldCount];
            var row = table.EmptyRow();
            for (var i = 0; i < 180; i++)
            {
                generator.Next(sample);
                for (var c = 0; c < sample.Length; c++) row[at[c]] = sample[c];
                series.Append(SeriesData.Start + i * SeriesData.Tick, row);
            }
            pods.Add(series);
        }
        return pods;
    }
}
