using System.Globalization;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>
/// Every pod and container of the kubepods cgroup hierarchy, with its CPU, memory, disk,
/// throttling, OOM and pressure numbers, and the pod's network counters. Pods and containers
/// that end while being read are left out quietly. A file that cannot be read or parsed costs
/// only its own values of that pod or container (null, and a <see cref="ReadError"/> in the
/// snapshot); every other pod and value stands.
/// </summary>
public sealed class PodCollector(HostRoot host, CgroupLayout layout, TimeProvider? time = null) : ICollector
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The walk; tests swap it to remove a pod between discovery and reading.</summary>
    internal Func<string, IReadOnlyList<DiscoveredPod>> Discover { get; init; } = KubepodsDiscovery.Discover;

    /// <summary>Reads each cgroup; tests swap its file reading to fail one read as the kernel does.</summary>
    internal CgroupStatsReader Reader { get; init; } = new(layout);

    /// <summary>
    /// cgroup v1 counts an OOM kill only in the memory cgroup of the process killed, never in its
    /// parents (v2's memory.events counts it up the tree): a pod cgroup's own oom_kill misses every
    /// kill in its containers.
    /// </summary>
    private readonly bool _oomKillsOnlyInOwnCgroup = layout.V1("memory") is not null;

    public string Name => "pods";

    public void Collect(NodeSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var pods = new List<PodSnapshot>();
        foreach (var pod in Discover(layout.DiscoveryRoot))
        {
            // Stamped before the read: the CPU counter is the reader's first file.
            var readAt = _time.GetUtcNow();
            var stats = Reader.Read(pod.RelativePath, snapshot.ReadErrors);
            if (stats is null) continue; // the pod ended

            var containers = new List<ContainerSnapshot>(pod.Containers.Count);
            foreach (var container in pod.Containers)
            {
                if (Reader.Read(container.RelativePath, snapshot.ReadErrors) is { } containerStats)
                {
                    containers.Add(new ContainerSnapshot { Id = container.Id, Runtime = container.Runtime, Stats = containerStats });
                }
            }
            if (_oomKillsOnlyInOwnCgroup) stats.OomKills = WithContainers(stats.OomKills, containers);
            pods.Add(new PodSnapshot
            {
                Uid = pod.Uid,
                QosClass = pod.QosClass,
                Stats = stats,
                Containers = containers,
                Network = ReadNetwork(pod, snapshot.ReadErrors),
                ReadAt = readAt,
            });
        }
        snapshot.Pods = pods;
    }

    /// <summary>
    /// A v1 pod's OOM kills: its own cgroup's and its containers', so the pod counts what v2 counts.
    /// A container whose cgroup is gone (restarted) takes its kills with it; the pod's counter then
    /// goes down, which readers take as a reset. Null when the pod's own file is absent.
    /// </summary>
    private static ulong? WithContainers(ulong? podOwn, List<ContainerSnapshot> containers)
    {
        if (podOwn is not { } total) return null;
        foreach (var container in containers)
        {
            total += container.Stats.OomKills ?? 0;
        }
        return total;
    }

    /// <summary>
    /// All containers of a pod share its network namespace, so the net/dev of any one of its
    /// processes is the pod's. Processes end at any time: the next one is tried.
    /// </summary>
    private NetworkTotals? ReadNetwork(DiscoveredPod pod, ICollection<ReadError> errors)
    {
        foreach (var cgroup in pod.Containers.Select(c => c.RelativePath).Prepend(pod.RelativePath))
        {
            var procsPath = Path.Join(layout.DiscoveryRoot, cgroup, "cgroup.procs");
            var procs = Read(procsPath, "cgroup.procs", errors, out _);
            if (procs is null || Parse(procs, procsPath, "cgroup.procs", CgroupProcsParser.Parse, errors) is not { } pids) continue;
            foreach (var pid in pids)
            {
                if (pid == 0) continue; // a process outside our pid namespace
                var netDevPath = host.Proc(pid.ToString(CultureInfo.InvariantCulture), "net", "dev");
                var netDev = Read(netDevPath, "net/dev", errors, out var failed);
                // One namespace: a file that is there but unusable is no better in the next process.
                if (failed) return null;
                if (netDev is null) continue; // the process ended
                return Parse(netDev, netDevPath, "net/dev", text => NetworkTotals.Of(NodeNetworkCollector.Interfaces(NetDevParser.Parse(text))), errors);
            }
        }
        return null;
    }

    /// <summary>The file's text; null when it is gone (quiet) or cannot be read (<paramref name="failed"/>, reported).</summary>
    private static string? Read(string path, string file, ICollection<ReadError> errors, out bool failed)
    {
        failed = false;
        try
        {
            return HostRoot.TryReadFile(path);
        }
        catch (Exception e) when (CgroupErrors.IsGone(e))
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ReadError(file, path, e.Message));
            failed = true;
            return null;
        }
    }

    private static T? Parse<T>(string text, string path, string file, Func<string, T> parse, ICollection<ReadError> errors) where T : class
    {
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            errors.Add(new ReadError(file, path, e.Message));
            return null;
        }
    }
}
