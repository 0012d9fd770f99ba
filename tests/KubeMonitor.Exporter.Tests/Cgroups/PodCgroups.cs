using System.Diagnostics;
using System.Globalization;
using KubeMonitor.Exporter.Cgroups;

namespace KubeMonitor.Exporter.Tests.Cgroups;

/// <summary>
/// A real pod-shaped cgroup pair (pod and one container) on this machine, made the way the
/// kubelet and runtimes make them, for tests that need real kernel numbers (root only; use
/// with <c>[Collection(RealLoad.Name)]</c>). The same relative path is created in every
/// hierarchy the exporter reads (each v1 controller it uses, and the cgroup2 tree), processes
/// are started inside the container cgroup, and Dispose kills them and removes every cgroup it
/// created, leaf first, even after a failed test. Shared parents (kubepods, a QoS level) are
/// counted across the instances of this process and removed with the last one that uses them,
/// if this process created them (never a parent that was there before).
/// </summary>
public sealed class PodCgroups : IDisposable
{
    private static readonly Lock SharedLock = new();
    /// <summary>Shared parents this process created, and how many live instances sit under each.</summary>
    private static readonly Dictionary<string, int> SharedUsers = new(StringComparer.Ordinal);

    private readonly List<(string Path, bool Shared)> _created = [];
    private readonly List<Process> _processes = [];
    private readonly CgroupLayout _layout;

    /// <summary>Pod uid with dashes, as the exporter reports it.</summary>
    public string PodUid { get; }
    public string ContainerId { get; }
    /// <summary>Relative to each hierarchy root.</summary>
    public string PodPath { get; }
    public string ContainerPath { get; }
    /// <summary>The roots the cgroups were made in.</summary>
    public IReadOnlyList<string> Hierarchies { get; }

    private PodCgroups(CgroupLayout layout, string podUid, string containerId, string podPath, string containerPath)
    {
        _layout = layout;
        PodUid = podUid;
        ContainerId = containerId;
        PodPath = podPath;
        ContainerPath = containerPath;
        Hierarchies = CgroupLayout.ReadControllers.Select(layout.V1).OfType<string>()
            .Append(layout.Unified).OfType<string>()
            .Distinct(StringComparer.Ordinal).ToList();
        try
        {
            var podDepth = podPath.Split('/').Length;
            foreach (var hierarchy in Hierarchies)
            {
                var parts = containerPath.Split('/');
                for (var depth = 1; depth <= parts.Length; depth++)
                {
                    var dir = Path.Join(hierarchy, string.Join('/', parts[..depth]));
                    if (depth < podDepth)
                    {
                        if (UseSharedParent(dir)) _created.Add((dir, Shared: true));
                        continue;
                    }
                    Directory.CreateDirectory(dir);
                    _created.Add((dir, Shared: false));
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>cgroupfs driver: kubepods/&lt;qos&gt;/pod&lt;uid&gt;/&lt;64-hex id&gt;.</summary>
    public static PodCgroups Cgroupfs(CgroupLayout layout, string qos = "burstable")
    {
        var (uid, id) = NewIds();
        var pod = $"kubepods/{qos}/pod{uid}";
        return new PodCgroups(layout, uid, id, pod, $"{pod}/{id}");
    }

    /// <summary>systemd driver: kubepods.slice/kubepods-&lt;qos&gt;.slice/kubepods-&lt;qos&gt;-pod&lt;uid_&gt;.slice/&lt;runtime&gt;&lt;id&gt;.scope.</summary>
    public static PodCgroups Systemd(CgroupLayout layout, string qos = "burstable", string runtimePrefix = "cri-containerd-")
    {
        var (uid, id) = NewIds();
        var pod = $"kubepods.slice/kubepods-{qos}.slice/kubepods-{qos}-pod{uid.Replace('-', '_')}.slice";
        return new PodCgroups(layout, uid, id, pod, $"{pod}/{runtimePrefix}{id}.scope");
    }

    private static (string Uid, string Id) NewIds() =>
        (Guid.NewGuid().ToString(), Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

    /// <summary>
    /// Lets the container win the CPU against the rest of this shared machine, as a pod with a big
    /// request would: the highest v1 cpu.shares (a group's weight against its siblings) on every
    /// level made here, and the highest v2 cpu.weight where the cpu controller is enabled.
    /// </summary>
    public void GiveCpuPriority()
    {
        foreach (var (path, _) in _created)
        {
            WriteIfPresent(Path.Join(path, "cpu.shares"), "262144");
            WriteIfPresent(Path.Join(path, "cpu.weight"), "10000");
        }
    }

    /// <summary>
    /// A CFS quota on the container: v1 cpu.cfs_quota_us, else v2 cpu.max. With
    /// <paramref name="alsoPod"/> the pod cgroup gets it first, as the kubelet sets a pod-level quota
    /// (the sum of its containers' limits) when every container has a CPU limit.
    /// </summary>
    public void LimitCpu(int quotaMicroseconds, int periodMicroseconds = 100_000, bool alsoPod = false)
    {
        // v1 refuses a child quota above its parent's: the parent first.
        foreach (var cgroup in alsoPod ? [PodPath, ContainerPath] : new[] { ContainerPath })
        {
            if (_layout.V1("cpu") is { } cpu)
            {
                File.WriteAllText(Path.Join(cpu, cgroup, "cpu.cfs_period_us"), periodMicroseconds.ToString(CultureInfo.InvariantCulture));
                File.WriteAllText(Path.Join(cpu, cgroup, "cpu.cfs_quota_us"), quotaMicroseconds.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                File.WriteAllText(Path.Join(_layout.Unified, cgroup, "cpu.max"), $"{quotaMicroseconds} {periodMicroseconds}");
            }
        }
    }

    /// <summary>
    /// A memory limit on the container (and no swap beyond it): v1 memory.limit_in_bytes, else v2
    /// memory.max. With <paramref name="alsoPod"/> the pod cgroup gets it too, as the kubelet does.
    /// </summary>
    public void LimitMemory(long bytes, bool alsoPod = false)
    {
        var value = bytes.ToString(CultureInfo.InvariantCulture);
        foreach (var cgroup in alsoPod ? [PodPath, ContainerPath] : new[] { ContainerPath })
        {
            if (_layout.V1("memory") is { } memory)
            {
                File.WriteAllText(Path.Join(memory, cgroup, "memory.limit_in_bytes"), value);
                WriteIfPresent(Path.Join(memory, cgroup, "memory.memsw.limit_in_bytes"), value);
            }
            else
            {
                File.WriteAllText(Path.Join(_layout.Unified, cgroup, "memory.max"), value);
                WriteIfPresent(Path.Join(_layout.Unified, cgroup, "memory.swap.max"), "0");
            }
        }
    }

    /// <summary>The pids now in the container cgroup (of the first hierarchy).</summary>
    public IReadOnlyList<int> ContainerPids() =>
        File.ReadAllLines(Path.Join(Hierarchies[0], ContainerPath, "cgroup.procs"))
            .Select(line => int.Parse(line, CultureInfo.InvariantCulture)).ToList();

    /// <summary>
    /// Starts a program inside the container cgroup of every hierarchy. A shell joins the
    /// cgroups first and then execs the program, so it and all its children start inside.
    /// Returns once the process is in the container cgroup.
    /// </summary>
    public Process StartInContainer(params string[] command)
    {
        var procsFiles = Hierarchies.Select(h => Path.Join(h, ContainerPath, "cgroup.procs")).ToList();
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""while [ "$1" != -- ]; do echo $$ > "$1" || exit 97; shift; done; shift; exec "$@" """);
        start.ArgumentList.Add("sh");
        foreach (var file in procsFiles) start.ArgumentList.Add(file);
        start.ArgumentList.Add("--");
        foreach (var part in command) start.ArgumentList.Add(part);

        var process = Process.Start(start) ?? throw new InvalidOperationException("sh did not start.");
        _processes.Add(process);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var pid = process.Id.ToString(CultureInfo.InvariantCulture);
        var deadline = Stopwatch.StartNew();
        while (!procsFiles.All(f => File.ReadAllLines(f).Contains(pid)))
        {
            if (process.HasExited) throw new InvalidOperationException($"'{string.Join(' ', command)}' ended with {process.ExitCode} before joining the container cgroup.");
            if (deadline.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException("The process did not join the container cgroup.");
            Thread.Sleep(20);
        }
        return process;
    }

    public void Dispose()
    {
        var errors = new List<Exception>();
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }
            process.Dispose();
        }
        _processes.Clear();

        // Only processes started here can be in these fresh cgroups: end any that escaped the tree kill.
        foreach (var (path, shared) in _created)
        {
            if (!shared) KillMembers(path, errors);
        }

        for (var i = _created.Count - 1; i >= 0; i--)
        {
            var (path, shared) = _created[i];
            try
            {
                if (shared) ReleaseSharedParent(path);
                else RemoveCgroup(path);
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }
        _created.Clear();
        if (errors.Count > 0) throw new AggregateException("Cleaning up the test's cgroups failed.", errors);
    }

    private static void KillMembers(string cgroup, List<Exception> errors)
    {
        var procs = Path.Join(cgroup, "cgroup.procs");
        var deadline = Stopwatch.StartNew();
        while (File.Exists(procs) && File.ReadAllLines(procs) is { Length: > 0 } pids)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                errors.Add(new TimeoutException($"Processes {string.Join(',', pids)} stayed in {cgroup}."));
                return;
            }
            foreach (var pid in pids)
            {
                try
                {
                    using var member = Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture));
                    member.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // ended meanwhile
                }
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>True when this process made the parent (now or for another live instance), so it is counted.</summary>
    private static bool UseSharedParent(string dir)
    {
        lock (SharedLock)
        {
            if (SharedUsers.TryGetValue(dir, out var users))
            {
                SharedUsers[dir] = users + 1;
                return true;
            }
            if (Directory.Exists(dir)) return false; // not ours: never removed
            Directory.CreateDirectory(dir);
            SharedUsers[dir] = 1;
            return true;
        }
    }

    private static void ReleaseSharedParent(string dir)
    {
        lock (SharedLock)
        {
            var users = SharedUsers[dir] - 1;
            if (users > 0)
            {
                SharedUsers[dir] = users;
                return;
            }
            SharedUsers.Remove(dir);
            try
            {
                RemoveCgroup(dir);
            }
            catch (IOException)
            {
                // another process put a pod of its own under it meanwhile; it is theirs to remove
            }
        }
    }

    /// <summary>rmdir; a cgroup whose last task just died can be busy for a moment.</summary>
    private static void RemoveCgroup(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: false);
                return;
            }
            catch (IOException) when (attempt < 50 && IsBusy(path))
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Busy (a task not yet reaped) rather than holding child cgroups of someone else.</summary>
    private static bool IsBusy(string path) => !Directory.EnumerateDirectories(path).Any();

    private static void WriteIfPresent(string file, string value)
    {
        if (File.Exists(file)) File.WriteAllText(file, value);
    }
}
