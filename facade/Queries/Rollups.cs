namespace KubeMonitor.Facade.Queries;

/// <summary>Namespace and deployment latest views: sums over their live pods (their series: <see cref="Storage.StepSums"/>).</summary>
internal static class Rollups
{
    public static AggregateValues Sum(IEnumerable<(CpuUsage Cpu, PodMemory Memory, DiskIo Disk, NetworkIo Network)> pods)
    {
        var sums = new Sums();
        foreach (var pod in pods) sums.Add(pod.Cpu, pod.Memory, pod.Disk, pod.Network);
        return sums.Values();
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
