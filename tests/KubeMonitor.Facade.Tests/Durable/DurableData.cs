using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Tests.Storage;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>Random batches for the durable store's tests: nodes, pods with containers and labels, every kind of value.</summary>
internal static class DurableData
{
    public static IngestBatch Batch(Random random, string node, long timestampMs, int pods)
    {
        var nodeEntry = random.Next(4) == 0 ? null : new NodeEntry(node, timestampMs, Row(random, NodeFields.Count), random.Next(2) == 0 ? null : Labels(random));
        var entries = new PodEntry[pods];
        for (var i = 0; i < pods; i++)
        {
            var containers = Enumerable.Range(0, random.Next(0, 3)).Select(c => new ContainerEntry($"c{c}", Row(random, ContainerFields.Count))).ToArray();
            entries[i] = new PodEntry($"ns-{i % 3}", $"{node}-pod-{i}", random.Next(5) == 0 ? null : node, random.Next(3) == 0 ? null : Guid.NewGuid().ToString(),
                "ReplicaSet", $"app-{i % 4}-7c9f8d6b5", random.Next(2) == 0 ? null : $"app-{i % 4}", timestampMs, Row(random, PodFields.Count), containers,
                random.Next(3) == 0 ? null : Labels(random));
        }
        return new IngestBatch(nodeEntry, entries) { ClockOffsetMs = random.Next(3) == 0 ? random.NextInt64(-600_000, 600_000) : 0 };
    }

    public static double[] Row(Random random, int count)
    {
        var row = new double[count];
        for (var i = 0; i < count; i++) row[i] = SeriesData.NextValue(random, (SeriesData.Kind)random.Next((int)SeriesData.Kind.Mixed + 1), 0);
        return row;
    }

    private static LabelSet Labels(Random random) =>
        LabelSet.Of(Enumerable.Range(0, random.Next(0, 4)).Select(i => new KeyValuePair<string, string>($"k{i}", $"v{random.Next(100)}")));

    /// <summary>Two batches hold the same, values bit for bit.</summary>
    public static void AssertSame(IngestBatch expected, IngestBatch actual)
    {
        Assert.Equal(expected.ClockOffsetMs, actual.ClockOffsetMs);
        Assert.Equal(expected.Node is null, actual.Node is null);
        if (expected.Node is { } node)
        {
            Assert.Equal((node.Name, node.TimestampMs, node.Labels), (actual.Node!.Name, actual.Node.TimestampMs, actual.Node.Labels));
            AssertBits(node.Values, actual.Node.Values);
        }
        Assert.Equal(expected.Pods.Count, actual.Pods.Count);
        for (var i = 0; i < expected.Pods.Count; i++)
        {
            var (e, a) = (expected.Pods[i], actual.Pods[i]);
            Assert.Equal(e with { Values = [], Containers = [] }, a with { Values = [], Containers = [] });
            AssertBits(e.Values, a.Values);
            Assert.Equal(e.Containers.Select(c => c.Name), a.Containers.Select(c => c.Name));
            for (var c = 0; c < e.Containers.Length; c++) AssertBits(e.Containers[c].Values, a.Containers[c].Values);
        }
    }

    public static void AssertBits(double[] expected, double[] actual) =>
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
}
