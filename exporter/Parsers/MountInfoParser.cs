namespace KubeMonitor.Exporter.Parsers;

/// <summary>One line of /proc/&lt;pid&gt;/mountinfo.</summary>
/// <param name="Root">The directory of the filesystem that is mounted ("/" unless a subtree, e.g. a container's cgroup).</param>
/// <param name="MountPoint">Where it is mounted, octal escapes (\040 for space) decoded.</param>
/// <param name="FsType">e.g. cgroup, cgroup2, tmpfs.</param>
/// <param name="SuperOptions">Per-superblock options; for cgroup v1 they name the controllers ("rw,cpu,cpuacct").</param>
public sealed record MountInfoEntry(string Root, string MountPoint, string FsType, IReadOnlyList<string> SuperOptions);

/// <summary>
/// /proc/&lt;pid&gt;/mountinfo: "36 35 98:0 /root /mnt opts [optional fields...] - fstype source superopts".
/// The optional fields vary in number, so the fields after the lone "-" are found by it.
/// </summary>
public static class MountInfoParser
{
    /// <exception cref="FormatException">A line without the "-" separator or with too few fields.</exception>
    public static IReadOnlyList<MountInfoEntry> Parse(string text)
    {
        var entries = new List<MountInfoEntry>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            var separator = fields.Length > 6 ? Array.IndexOf(fields, "-", 6) : -1;
            if (separator < 0 || fields.Length < separator + 3)
            {
                throw new FormatException($"mountinfo: malformed line '{line}'.");
            }
            var superOptions = fields.Length > separator + 3 ? fields[separator + 3].Split(',') : [];
            entries.Add(new MountInfoEntry(Unescape(fields[3]), Unescape(fields[4]), fields[separator + 1], superOptions));
        }
        return entries;
    }

    /// <summary>The kernel writes space, tab, newline and backslash as \040, \011, \012, \134.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var result = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                result.Append((char)((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                result.Append(field[i]);
            }
        }
        return result.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 2 < s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
