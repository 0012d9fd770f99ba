using System.Buffers;
using System.Text.Json;
using KubeMonitor.Facade.Storage;
using KubeMonitor.FacadeLoad;

namespace KubeMonitor.StorageBench;

/// <summary>
/// Where the store's bytes go on facade-load's pods (bench/FacadeLoad/Cluster.cs, the data of the
/// 150,000-pod runs): what each column adds to its rows, the rows as the store keeps them, and
/// beside them the information the generator puts in each column (docs/benchmarks.md, "Every
/// target again on one build").
/// </summary>
internal static class GeneratedPods
{
    private const long Start = 1_795_000_000_000;
    private const long Tick = 5_000;

    // The pod columns the generator fills; the store's other 14 pod columns (requests, limits,
    // throttling, OOM kills, pressure) are absent in its batches, as are the containers' other 8.
    private static readonly (string Name, string Section, string Field)[] PodColumns =
    [
        ("cpu", "cpu", "usageSecondsTotal"), ("memory usage", "memory", "usageBytes"), ("working set", "memory", "workingSetBytes"),
        ("disk read", "disk", "readBytesTotal"), ("disk write", "disk", "writeBytesTotal"),
        ("network rx", "network", "rxBytesTotal"), ("network tx", "network", "txBytesTotal"),
    ];
    private static readonly string[] ContainerColumns = ["cpu.usageSecondsTotal", "memory.workingSetBytes"];

    public static void Run(int nodes, int ticks)
    {
        var cluster = new Cluster(nodes, 30, seed: 1);
        var pods = nodes * 30;
        // Per pod: its columns' values over the ticks; per container: CPU and working set.
        var podValues = new double[pods][][];
        var containerValues = new List<double[][]>[pods];
        for (var p = 0; p < pods; p++)
        {
            podValues[p] = [.. PodColumns.Select(_ => new double[ticks])];
            containerValues[p] = [];
        }
        var buffer = new ArrayBufferWriter<byte>();
        for (var t = 0; t < ticks; t++)
        {
            for (var n = 0; n < nodes; n++)
            {
                buffer.Clear();
                cluster.WriteBatch(n, DateTimeOffset.FromUnixTimeMilliseconds(Start + t * Tick), Tick / 1000.0, buffer);
                using var batch = JsonDocument.Parse(buffer.WrittenMemory);
                var p = n * 30;
                foreach (var pod in batch.RootElement.GetProperty("pods").EnumerateArray())
                {
                    for (var c = 0; c < PodColumns.Length; c++) podValues[p][c][t] = pod.GetProperty(PodColumns[c].Section).GetProperty(PodColumns[c].Field).GetDouble();
                    var k = 0;
                    foreach (var container in pod.GetProperty("containers").EnumerateArray())
                    {
                        if (t == 0) containerValues[p].Add([new double[ticks], new double[ticks]]);
                        containerValues[p][k][0][t] = container.GetProperty("cpu").GetProperty("usageSecondsTotal").GetDouble();
                        containerValues[p][k][1][t] = container.GetProperty("memory").GetProperty("workingSetBytes").GetDouble();
                        k++;
                    }
                    p++;
                }
            }
        }

        var podSamples = (double)pods * ticks;
        var containers = containerValues.Sum(c => c.Count);
        Console.WriteLine($"facade-load's pods: {nodes} nodes x 30 pods ({containers / (double)pods:F2} containers a pod), {ticks} ticks of 5 s, chunks of {EntitySeries.DefaultSamplesPerChunk} rows; bits per pod sample");
        // Each column's share: what the rows of the filled columns cost with its values, less what
        // they cost with a constant in its place (so a column is charged what it adds to its rows).
        var filled = Rows(podValues, containerValues, podColumn: -1, containerColumn: -1);
        var constant = Rows(podValues, containerValues, podColumn: int.MaxValue, containerColumn: int.MaxValue);
        var (cpu, memory, read, write, rx, tx) = cluster.InformationPerTick(Tick / 1000.0);
        double[] information = [cpu, memory, 0, read, write, rx, tx];
        Console.WriteLine($"  {"",-36} {"stored",6} {"information",12}");
        Console.WriteLine($"  {"timestamps, rows' bits (constants)",-36} {constant * 8 / podSamples,6:F1} {0,12:F1}");
        for (var c = 0; c < PodColumns.Length; c++)
        {
            Console.WriteLine($"  pod {PodColumns[c].Name,-32} {(filled - Rows(podValues, containerValues, c, -1)) * 8 / podSamples,6:F1} {information[c],12:F1}");
        }
        string[] containerNames = ["container cpu", "container working set"];
        for (var c = 0; c < 2; c++)
        {
            Console.WriteLine($"  {containerNames[c],-36} {(filled - Rows(podValues, containerValues, -1, c)) * 8 / podSamples,6:F1} {0,12:F1}");
        }
        Console.WriteLine($"  {"rows of the filled columns only",-36} {filled * 8 / podSamples,6:F1} {information.Sum(),12:F1} ({filled / podSamples:F1} B against {information.Sum() / 8:F1} B)");

        CrossPrediction.Print(podValues, containerValues);

        // As format 5 kept them: a pod row of the pod table's columns in its order and a row of
        // the container table's per container, the columns the batches leave out absent; coded
        // from the columns the tables name (FieldTable.References), and beside it without them (format 4).
        var podPaths = PodColumns.Select(c => $"{c.Section}.{c.Field}").ToArray();
        foreach (var references in new[] { false, true })
        {
            double rows = 0;
            for (var p = 0; p < pods; p++)
            {
                rows += Stored(ticks, podValues[p], podPaths, PodFields.Table, references);
                foreach (var container in containerValues[p]) rows += Stored(ticks, container, ContainerColumns, ContainerFields.Table, references);
            }
            var name = references ? "a series a container (format 5)" : "the same, each column from its past";
            Console.WriteLine($"  {name,-36} {rows * 8 / podSamples,6:F1} ({rows / podSamples:F1} B; timestamps and absent columns included)");
        }

        // As the store keeps them (format 6): each container a place in its pod's rows (PodRowLayout).
        double inPodRows = 0;
        for (var p = 0; p < pods; p++) inPodRows += InPodRows(ticks, podValues[p], podPaths, containerValues[p]);
        Console.WriteLine($"  {"rows as the store keeps them",-36} {inPodRows * 8 / podSamples,6:F1} ({inPodRows / podSamples:F1} B; containers in their pod's rows)");
    }

    /// <summary>Bytes of a pod's series as the store lays it out (<see cref="PodRowLayout"/>): the
    /// pod's columns, then each container's presence and columns.</summary>
    private static long InPodRows(int ticks, double[][] podColumns, string[] podPaths, List<double[][]> containers)
    {
        var pod = PodFields.Table;
        var container = ContainerFields.Table;
        var series = new EntitySeries(PodRowLayout.Width(containers.Count), EntitySeries.DefaultSamplesPerChunk, 0, PodRowLayout.References(containers.Count),
            containers.Count == 0 ? 0 : PodFields.Count);
        int[] podAt = [.. podPaths.Select(pod.Column)];
        int[] containerAt = [.. ContainerColumns.Select(container.Column)];
        var row = new double[series.FieldCount];
        Array.Fill(row, double.NaN);
        for (var t = 0; t < ticks; t++)
        {
            for (var c = 0; c < podColumns.Length; c++) row[podAt[c]] = podColumns[c][t];
            for (var k = 0; k < containers.Count; k++)
            {
                var presence = PodRowLayout.PresenceColumn(k);
                row[presence] = 1;
                for (var c = 0; c < ContainerColumns.Length; c++) row[presence + 1 + containerAt[c]] = containers[k][c][t];
            }
            series.Append(Start + t * Tick, row);
        }
        return series.EncodedBytes;
    }

    /// <summary>
    /// Bytes of the streams of every pod's and container's filled columns, with pod column
    /// <paramref name="podColumn"/> and container column <paramref name="containerColumn"/> held at 0
    /// (-1: none; <see cref="int.MaxValue"/>: all).
    /// </summary>
    private static double Rows(double[][][] podValues, List<double[][]>[] containerValues, int podColumn, int containerColumn)
    {
        var ticks = podValues[0][0].Length;
        var zeros = new double[ticks];
        double bytes = 0;
        for (var p = 0; p < podValues.Length; p++)
        {
            bytes += Encoded(ticks, [.. podValues[p].Select((v, c) => c == podColumn || podColumn == int.MaxValue ? zeros : v)]);
            foreach (var container in containerValues[p])
            {
                bytes += Encoded(ticks, [.. container.Select((v, c) => c == containerColumn || containerColumn == int.MaxValue ? zeros : v)]);
            }
        }
        return bytes;
    }

    /// <summary>Bytes of the streams of one series holding <paramref name="columns"/>, one sample a tick.</summary>
    private static long Encoded(int ticks, double[][] columns)
    {
        var series = new EntitySeries(columns.Length);
        var row = new double[columns.Length];
        for (var t = 0; t < ticks; t++)
        {
            for (var c = 0; c < columns.Length; c++) row[c] = columns[c][t];
            series.Append(Start + t * Tick, row);
        }
        return series.EncodedBytes;
    }

    /// <summary>The same in a series of <paramref name="table"/>'s columns, <paramref name="columns"/> at
    /// <paramref name="paths"/> and the others absent, coded from the references the table names or not.</summary>
    private static long Stored(int ticks, double[][] columns, string[] paths, FieldTable table, bool references)
    {
        var at = paths.Select(table.Column).ToArray();
        var series = new EntitySeries(table.Count, EntitySeries.DefaultSamplesPerChunk, 0, references ? table.References : null);
        var row = table.EmptyRow();
        for (var t = 0; t < ticks; t++)
        {
            for (var c = 0; c < columns.Length; c++) row[at[c]] = columns[c][t];
            series.Append(Start + t * Tick, row);
        }
        return series.EncodedBytes;
    }
}
