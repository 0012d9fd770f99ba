namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>
/// Raises v1 cpu.shares on the ancestors of a pod cgroup that were already there (kubepods and
/// its QoS level, left by other tests on a shared machine), and restores their values on
/// Dispose. PodCgroups gives priority only to the levels it made; on a busy host a weight of
/// 1024 at the kubepods level would share the CPUs with every busy process of the root group,
/// and a stressed pod could not get its full core (as a kubelet's kubepods group with the
/// node's allocatable CPU as its weight would).
/// </summary>
internal sealed class AncestorCpuShares : IDisposable
{
    private const string Highest = "262144";
    private readonly List<(string File, string Value)> _saved = [];

    public AncestorCpuShares(string? cpuHierarchy, string podPath)
    {
        if (cpuHierarchy is null) return; // not a v1 cpu controller host
        var parts = podPath.Split('/');
        for (var depth = 1; depth < parts.Length; depth++)
        {
            var file = Path.Join(cpuHierarchy, string.Join('/', parts[..depth]), "cpu.shares");
            if (!File.Exists(file)) continue;
            _saved.Add((file, File.ReadAllText(file).Trim()));
            File.WriteAllText(file, Highest);
        }
    }

    public void Dispose()
    {
        foreach (var (file, value) in Enumerable.Reverse(_saved))
        {
            try
            {
                File.WriteAllText(file, value);
            }
            catch (Exception e) when (e is IOException or DirectoryNotFoundException or FileNotFoundException)
            {
                // its owner removed it meanwhile
            }
        }
        _saved.Clear();
    }
}
