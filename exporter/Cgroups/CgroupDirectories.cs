using KubeMonitor.Exporter.Host;

namespace KubeMonitor.Exporter.Cgroups;

/// <summary>
/// The cgroup directories read by recent collections, held open, so that each of a cgroup's
/// files is opened by its name in its directory rather than by a seven-part path: the kernel's
/// walk down that path was about a sixth of a collection's CPU (docs/benchmarks.md). A directory
/// no collection read since the last <see cref="Sweep"/> is closed then (its pod or container
/// ended). At most a quarter of the process's open-file limit is held, so sockets and other
/// files never run short; beyond it files are read by their whole path, as before. Not thread
/// safe: one collection reads at a time.
/// </summary>
internal sealed class CgroupDirectories : IDisposable
{
    private readonly int _maxHeld;
    private Dictionary<string, int> _read = new(StringComparer.Ordinal);
    private Dictionary<string, int> _before = new(StringComparer.Ordinal);

    public CgroupDirectories(ulong? openFilesLimit = null)
    {
        var limit = openFilesLimit ?? KernelFile.OpenFilesLimit() ?? 1024;
        _maxHeld = (int)Math.Min(limit / 4, 16_384);
    }

    /// <summary>How many directories are held now.</summary>
    public int Held => _read.Count + _before.Count;

    /// <summary>The text of <paramref name="file"/> in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">The file, or the directory, is not there.</exception>
    public string ReadFile(string directory, string file)
    {
        var path = Path.Join(directory, file);
        return Descriptor(directory) is { } fd ? KernelFile.ReadText(fd, file, path) : KernelFile.ReadText(path);
    }

    /// <summary>Closes the directories that no read asked for since the last sweep.</summary>
    public void Sweep()
    {
        foreach (var fd in _before.Values) KernelFile.CloseDirectory(fd);
        _before.Clear();
        (_before, _read) = (_read, _before);
    }

    public void Dispose()
    {
        foreach (var fd in _read.Values.Concat(_before.Values)) KernelFile.CloseDirectory(fd);
        _read.Clear();
        _before.Clear();
    }

    /// <summary>The directory's descriptor, opened now if need be; null when no more may be held.</summary>
    private int? Descriptor(string directory)
    {
        if (_read.TryGetValue(directory, out var fd)) return fd;
        if (_before.Remove(directory, out fd))
        {
            _read[directory] = fd;
            return fd;
        }
        if (Held >= _maxHeld) return null;
        fd = KernelFile.OpenDirectory(directory);
        _read[directory] = fd;
        return fd;
    }
}
