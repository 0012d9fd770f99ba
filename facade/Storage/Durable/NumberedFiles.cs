using System.Globalization;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// The files of a folder named by a number after a prefix (log segments <c>wal/00000001</c>, chunk
/// files, <c>checkpoint.00000001</c>), lowest number first; a file whose name is not one (a
/// <c>checkpoint.tmp</c>, a stranger's file) is not listed.
/// </summary>
internal static class NumberedFiles
{
    public static List<(long Number, string Path)> In(string directory, string prefix = "")
    {
        if (!Directory.Exists(directory)) return [];
        var found = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, prefix + "*"))
        {
            if (long.TryParse(Path.GetFileName(path).AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number)) found.Add((number, path));
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }
}
