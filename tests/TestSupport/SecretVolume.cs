using System.Diagnostics;
using System.Globalization;

namespace KubeMonitor.TestSupport;

/// <summary>
/// A Secret (or projected token) volume laid out as the kubelet's AtomicWriter writes it: the
/// files in a timestamped folder, <c>..data</c> a link to that folder, and each key a link
/// <c>key -&gt; ..data/key</c>. An update writes a new folder and swaps <c>..data</c> in one
/// rename, so the key's own link, its time and its length never change. A new volume is dated an
/// hour back, as one mounted a while ago: a program that trusts a young file less (its time may
/// not have ticked yet) would otherwise re-read it anyway and hide a stale cache.
/// </summary>
public sealed class SecretVolume
{
    private int _version;

    public string Directory { get; }

    private SecretVolume(string directory) => Directory = directory;

    /// <summary>Writes the volume into <paramref name="directory"/> (made if missing).</summary>
    public static SecretVolume Create(string directory, IReadOnlyDictionary<string, string> files)
    {
        System.IO.Directory.CreateDirectory(directory);
        var volume = new SecretVolume(directory);
        var data = volume.WriteVersion(files);
        File.CreateSymbolicLink(Path.Combine(directory, "..data"), data);
        foreach (var key in files.Keys) File.CreateSymbolicLink(Path.Combine(directory, key), Path.Combine("..data", key));
        var anHourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Run("touch", ["-h", "-d", "@" + anHourAgo, .. System.IO.Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)]);
        return volume;
    }

    public string PathOf(string key) => Path.Combine(Directory, key);

    /// <summary>New content for the same keys, swapped in as the kubelet does on a Secret update.</summary>
    public void Update(IReadOnlyDictionary<string, string> files)
    {
        var data = WriteVersion(files);
        var link = Path.Combine(Directory, "..data_tmp");
        File.CreateSymbolicLink(link, data);
        // rename(2) of the new link over ..data; .NET's File.Move and Directory.Move refuse a link to a folder.
        Run("mv", ["-T", link, Path.Combine(Directory, "..data")]);
    }

    private static void Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.WaitForExit();
        if (process.ExitCode != 0) throw new IOException($"{program} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}.");
    }

    private string WriteVersion(IReadOnlyDictionary<string, string> files)
    {
        var name = "..v" + (++_version).ToString(CultureInfo.InvariantCulture);
        var folder = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(folder);
        foreach (var (key, text) in files) File.WriteAllText(Path.Combine(folder, key), text);
        return name;
    }
}
