using System.Globalization;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>
/// Every pod and container of the kubepods cgroup hierarchy, with its CPU, memory, disk,
/// throttling, OOM and pressure numbers, and the pod's network counters. Pods and containers
/// that end while being read are left out quietly; a broken file fails the collector.
/// </summary>
public sealed class PodCollector(HostRoot host, CgroupLayout layout, TimeProvider? time = null) : ICollector
{
    private readonly CgroupStatsReader _reader = new(layout);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The walk; tests swap it to remove a pod between discovery and reading.</summary>
    internal Func<string, IReadOnlyList<DiscoveredPod>> Discover { get; init; } = KubepodsDiscovery.Discover;

    public string Name => "pods";

    public void Collect(NodeSnapshot snapshot)
    {
        var pods = new List<PodSnapshot>();
        foreach (var pod in Discover(layout.DiscoveryRoot))
        {
            // Stamped before the read: the CPU counter is the reader's first file.
            var readAt = _time.GetUtcNow();
            var stats = _reader.Read(pod.RelativePath);
            if (stats is null) continue; // the pod ended

            var containers = new List<ContainerSnapshot>(pod.Containers.Count);
            foreach (var container in pod.Containers)
            {
                if (_reader.Read(container.RelativePath) is { } containerStats)
                {
                    containers.Add(new ContainerSnapshot { Id = container.Id, Runtime = container.Runtime, Stats = containerStats });
                }
            }
            pods.Add(new PodSnapshot
            {
                Uid = pod.Uid,
                QosClass = pod.QosClass,
                Stats = stats,
                Containers = containers,
                Network = ReadNetwork(pod),
                ReadAt = readAt,
            });
        }
        snapshot.Pods = pods;
    }

    /// <summary>
    /// All containers of a pod share its network namespace, so the net/dev of any one of its
    /// processes is the pod's. Processes end at any time: the next one is tried.
    /// </summary>
    private NetworkTotals? ReadNetwork(DiscoveredPod pod)
    {
        foreach (var cgroup in pod.Containers.Select(c => c.RelativePath).Prepend(pod.RelativePath))
        {
            var procs = ReadIfPresent(Path.Join(layout.DiscoveryRoot, cgroup, "cgroup.procs"));
            if (procs is null) continue;
            foreach (var pid in CgroupProcsParser.Parse(procs))
            {
                if (pid == 0) continue; // a process outside our pid namespace
                var netDev = ReadIfPresent(host.Proc(pid.ToString(CultureInfo.InvariantCulture), "net", "dev"));
                if (netDev is not null) return NetDevParser.SumWithoutLoopback(NetDevParser.Parse(netDev));
            }
        }
        return null;
    }

    private static string? ReadIfPresent(string path)
    {
        try
        {
            return HostRoot.TryReadFile(path);
        }
        catch (Exception e) when (CgroupErrors.IsGone(e))
        {
            return null;
        }
    }
}
