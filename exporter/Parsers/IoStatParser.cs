namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// cgroup v2 <c>io.stat</c>: one line per device, "MAJ:MIN rbytes=N wbytes=N rios=N ...".
/// Empty when the cgroup did no I/O. Kernel quirk: a device without stats prints only its
/// "MAJ:MIN " and no newline, so several ids can prefix a line ("7:7 7:6 7:4 rbytes=...",
/// the stats belong to the last id) and the file can end with a line of ids only.
/// </summary>
public static class IoStatParser
{
    private const string File = "io.stat";

    /// <exception cref="FormatException">A token that is neither a device id nor key=value, or a non-numeric byte count.</exception>
    public static IoBytes Parse(string text)
    {
        ulong read = 0, written = 0;
        foreach (var line in text.Split('\n'))
        {
            foreach (var token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = token.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0)
                {
                    if (!IsDeviceId(token)) throw new FormatException($"{File}: unexpected token '{token}'.");
                    continue;
                }
                // Other keys (rios, wios, dbytes, dios, cost.*) are not ours; only these two are checked.
                var key = token[..equals];
                if (key == "rbytes") read += CgroupText.ParseCounter(token[(equals + 1)..], File, key);
                else if (key == "wbytes") written += CgroupText.ParseCounter(token[(equals + 1)..], File, key);
            }
        }
        return new IoBytes(read, written);
    }

    private static bool IsDeviceId(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < token.Length - 1
            && token.AsSpan(0, colon).ContainsOnlyDigits()
            && token.AsSpan(colon + 1).ContainsOnlyDigits();
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> span) => !span.ContainsAnyExceptInRange('0', '9');
}
