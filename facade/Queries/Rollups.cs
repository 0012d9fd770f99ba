using KubeMonitor.Facade.Storage;
using static KubeMonitor.Facade.Storage.SampleMath;

namespace KubeMonitor.Facade.Queries;

/// <summary>Namespace and deployment numbers: sums over pods, and pod series aligned on steps.</summary>
internal static class Rollups
{
    public static AggregateValues Sum(IEnumerable<(CpuUsage Cpu, PodMemory Memory, DiskIo Disk, NetworkIo Network)> pods)
    {
        var sums = new Sums();
        foreach (var pod in pods) sums.Add(pod.Cpu, pod.Memory, pod.Disk, pod.Network);
        return sums.Values();
    }

    /// <summary>
    /// Steps start at multiples of <paramref name="stepSeconds"/> since the Unix epoch and are
    /// labelled by their start; each pod contributes its last point in the step; steps where no
    /// pod has a point are left out.
    /// </summary>
    public static IReadOnlyList<AggregatePoint> Align(IReadOnlyList<PodHistory> pods, int stepSeconds)
    {
        var stepMs = stepSeconds * 1000L;
        var steps = new SortedDictionary<long, Sums>();
        foreach (var pod in pods)
        {
            for (var i = 0; i < pod.Points.Count; i++)
            {
                var point = pod.Points[i];
                var t = new DateTimeOffset(point.Timestamp).ToUnixTimeMilliseconds();
                var stepStart = t - (((t % stepMs) + stepMs) % stepMs);
                var isLastInStep = i + 1 == pod.Points.Count
                    || new DateTimeOffset(pod.Points[i + 1].Timestamp).ToUnixTimeMilliseconds() >= stepStart + stepMs;
                if (!isLastInStep) continue;
                if (!steps.TryGetValue(stepStart, out var sums)) steps[stepStart] = sums = new Sums();
                sums.Add(point.Cpu, point.Memory, point.Disk, point.Network);
            }
        }
        return steps.Select(s =>
        {
            var v = s.Value.Values();
            return new AggregatePoint(ToUtc(s.Key), v.Cpu, v.Memory, v.Disk, v.Network);
        }).ToList();
    }

    /// <summary>Running sums where a field stays null until some pod has a value for it.</summary>
    private sealed class Sums
    {
        private double? _cpu, _workingSet, _usage, _read, _write, _rx, _tx;

        public void Add(CpuUsage cpu, PodMemory memory, DiskIo disk, NetworkIo network)
        {
            _cpu = Plus(_cpu, cpu.UsageCores);
            _workingSet = Plus(_workingSet, memory.WorkingSetBytes);
            _usage = Plus(_usage, memory.UsageBytes);
            _read = Plus(_read, disk.ReadBytesPerSecond);
            _write = Plus(_write, disk.WriteBytesPerSecond);
            _rx = Plus(_rx, network.RxBytesPerSecond);
            _tx = Plus(_tx, network.TxBytesPerSecond);
        }

        public AggregateValues Values() => new(
            new AggregateCpu(_cpu), new PodMemory(_workingSet, _usage), new AggregateDisk(_read, _write), new AggregateNetwork(_rx, _tx));

        private static double? Plus(double? sum, double? value) => value is { } v ? (sum ?? 0) + v : sum;
    }
}
