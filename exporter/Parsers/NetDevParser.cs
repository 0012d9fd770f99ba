using System.Globalization;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// Parses /proc/net/dev (host) and /proc/&lt;pid&gt;/net/dev (a pod's network namespace): two
/// header lines, then "  name: rx_bytes rx_packets ... (8 receive) tx_bytes ... (8 transmit)".
/// Names carry leading spaces and the gap after ':' varies or is missing ("lo:0").
/// </summary>
public static class NetDevParser
{
    private const int ReceiveBytesColumn = 0;
    private const int TransmitBytesColumn = 8;
    private const int Columns = 16;

    /// <exception cref="FormatException">A row that is cut short or not numeric.</exception>
    public static IReadOnlyList<NetworkInterface> Parse(string text)
    {
        var interfaces = new List<NetworkInterface>();
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
            interfaces.Add(new NetworkInterface(name, counters[ReceiveBytesColumn], counters[TransmitBytesColumn]));
        }
        if (interfaces.Count == 0 && !text.Contains("face", StringComparison.Ordinal))
        {
            throw new FormatException("net/dev: no header and no interface.");
        }
        return interfaces;
    }

    /// <summary>Receive and transmit bytes over every interface but <c>lo</c> (a pod's traffic).</summary>
    public static NetworkTotals SumWithoutLoopback(IEnumerable<NetworkInterface> interfaces)
    {
        ulong rx = 0, tx = 0;
        foreach (var i in interfaces)
        {
            if (i.Name == "lo") continue;
            rx += i.ReceiveBytesTotal;
            tx += i.TransmitBytesTotal;
        }
        return new NetworkTotals(rx, tx);
    }

    private static ulong ParseCounter(string field, string name) =>
        ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"net/dev: interface {name} has a non-numeric counter '{field}'.");
}
