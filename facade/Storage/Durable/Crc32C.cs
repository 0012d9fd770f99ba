using System.Buffers.Binary;
using System.Numerics;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>CRC-32C (Castagnoli), the checksum of Prometheus' WAL records; the CPU's instruction where there is one.</summary>
internal static class Crc32C
{
    public static uint Of(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>The checksum of one byte followed by <paramref name="data"/>, without copying them together.</summary>
    public static uint Append(byte first, ReadOnlySpan<byte> data) => ~Update(BitOperations.Crc32C(~0u, first), data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
