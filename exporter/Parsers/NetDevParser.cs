using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>One net/dev row: an interface and its byte counters (the other 14 columns are checked, not kept).</summary>
public sealed record NetDevRow(string Interface, ulong ReceiveBytes, ulong TransmitBytes);

/// <summary>
/// Parses /proc/net/dev (host) and /proc/&lt;pid&gt;/net/dev (a pod's network namespace): two
/// header lines, then "  name: rx_bytes rx_packets ... (8 receive) tx_bytes ... (8 transmit)".
/// Names carry leading spaces and the gap after ':' varies or is missing ("lo:0"). Every row
/// is returned, lo too.
/// </summary>
public static class NetDevParser
{
    private const int ReceiveBytesColumn = 0;
    private const int TransmitBytesColumn = 8;
    private const int Columns = 16;

    /// <exception cref="FormatException">A row that is cut short or not numeric.</exception>
    public static IReadOnlyList<NetDevRow> Parse(string text)
    {
        var rows = new List<NetDevRow>();
        foreach (var rawLine in text.Split('\n'))
        {
            var colon = rawLine.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue; // the two header lines ("Inter-|   Receive ...", " face |bytes ...") and blank lines
            }
            var name = rawLine[..colon].Trim();
            if (name.Length == 0 || name.Contains('|', StringComparison.Ordinal))
            {
                throw new FormatException($"net/dev: malformed row '{rawLine}'.");
            }
            var fields = rawLine[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < Columns)
            {
                throw new FormatException($"net/dev: interface {name} has {fields.Length} columns, expected {Columns}.");
            }
            // Every column is checked, not only the two bytes columns: a row with garbage in it is not trusted.
            var counters = new ulong[fields.Length];
            for (var i = 0; i < fields.Length; i++)
            {
                counters[i] = ParseCounter(fields[i], name);
            }
            rows.Add(new NetDevRow(name, counters[ReceiveBytesColumn], counters[TransmitBytesColumn]));
        }
        if (rows.Count == 0 && !text.Contains("face", StringComparison.Ordinal))
        {
            throw new FormatException("net/dev: no header and no interface.");
        }
        return rows;
    }

    private static ulong ParseCounter(string field, string name) =>
        ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"net/dev: interface {name} has a non-numeric counter '{field}'.");
}
