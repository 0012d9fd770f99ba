using System.Text.RegularExpressions;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>
/// Bytes read and written per block device from /proc/diskstats (sectors x 512), for the devices
/// node_exporter 1.5 reports by default. A name that repeats keeps its first row.
/// </summary>
public sealed partial class NodeDiskCollector(HostRoot root) : ICollector
{
    /// <summary>A diskstats sector is always 512 bytes, whatever the device's own sector size.</summary>
    private const ulong SectorBytes = 512;

    public string Name => "diskstats";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Disks = Devices(DiskstatsParser.Parse(HostRoot.ReadFile(root.Proc("diskstats"))));

    /// <summary>
    /// node_exporter 1.5's default <c>--collector.diskstats.device-exclude</c>: ram and loop
    /// devices, floppies and partitions. zram, dm-, md, sr, mmcblk and nvme namespaces stay.
    /// </summary>
    [GeneratedRegex("^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ExcludedDevice();

    public static bool IsExcluded(string device) => ExcludedDevice().IsMatch(device);

    /// <exception cref="OverflowException">A sector count that does not fit in 64 bits as bytes.</exception>
    internal static IReadOnlyList<DiskDevice> Devices(IReadOnlyList<DiskstatsRow> rows)
    {
        var devices = new List<DiskDevice>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (IsExcluded(row.Device) || !names.Add(row.Device)) continue;
            devices.Add(new DiskDevice(row.Device, Bytes(row.SectorsRead, row.Device), Bytes(row.SectorsWritten, row.Device)));
        }
        return devices;
    }

    private static ulong Bytes(ulong sectors, string device) =>
        sectors <= ulong.MaxValue / SectorBytes
            ? sectors * SectorBytes
            : throw new OverflowException($"/proc/diskstats: {device} sector count {sectors} does not fit in 64 bits as bytes.");
}
