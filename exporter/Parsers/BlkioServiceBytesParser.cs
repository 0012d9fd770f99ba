namespace KubeMonitor.Exporter.Parsers;

/// <summary>Bytes read and written, summed over every device.</summary>
public sealed record IoBytes(ulong ReadBytes, ulong WrittenBytes);

/// <summary>
/// cgroup v1 <c>blkio.throttle.io_service_bytes_recursive</c>: rows "MAJ:MIN Op bytes" with Op
/// one of Read, Write, Sync, Async, Discard (newer kernels), Total; then a bare "Total N" line.
/// Read and Write are summed over devices; the others overlap them and are ignored.
/// </summary>
public static class BlkioServiceBytesParser
{
    private const string File = "blkio.throttle.io_service_bytes_recursive";

    /// <exception cref="FormatException">A malformed row, or no closing "Total" line (a cut read).</exception>
    public static IoBytes Parse(string text)
    {
        ulong read = 0, written = 0;
        var sawTotal = false;
        foreach (var line in text.Split('\n'))
        {
            var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (tokens.Length)
            {
                case 0:
                    continue;
                case 2 when tokens[0] == "Total":
                    CgroupText.ParseCounter(tokens[1], File, "Total");
                    sawTotal = true;
                    continue;
                case 3 when tokens[0].Contains(':', StringComparison.Ordinal):
                    var value = CgroupText.ParseCounter(tokens[2], File, tokens[0] + " " + tokens[1]);
                    if (tokens[1] == "Read") read += value;
                    else if (tokens[1] == "Write") written += value;
                    continue;
                default:
                    throw new FormatException($"{File}: malformed line '{line}'.");
            }
        }
        return sawTotal ? new IoBytes(read, written) : throw new FormatException($"{File}: no closing 'Total' line.");
    }
}
