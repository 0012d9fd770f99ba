using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// A byte buffer in native memory (the C allocator), outside the GC heap. The store keeps its open
/// heads here (<see cref="HeadStreams"/>, a block a series): at 150,000 pods 155,000 blocks that
/// grow as they fill. On the GC heap every
/// outgrown head died in the oldest generation, where dead space waited for a compacting
/// collection (docs/benchmarks.md); the allocator reuses a freed block at once. Closed chunks,
/// which do not grow and expire together, are in <see cref="ChunkSlabs"/>.
/// </summary>
/// <remarks>
/// Nothing frees it for its owner: <see cref="EntitySeries"/> frees a buffer when it is done with
/// it, under its entity's lock, and in its finalizer whatever it still holds. A copy of the struct
/// names the same memory; only one of them may free it. Packed to 12 bytes, so that a head's
/// <see cref="HeadStreams"/> is 36.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal unsafe struct NativeBytes
{
    private byte* _pointer;
    private int _length;

    /// <summary>A zeroed buffer of <paramref name="length"/> bytes (none for 0).</summary>
    public static NativeBytes Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new NativeBytes { _pointer = length == 0 ? null : (byte*)NativeMemory.AllocZeroed((nuint)length), _length = length };
    }

    /// <summary>A buffer holding <paramref name="first"/>, <paramref name="second"/> and <paramref name="third"/>, end to end.</summary>
    public static NativeBytes CopyOf(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default, ReadOnlySpan<byte> third = default)
    {
        // Not zeroed first: every byte is written here (a chunk closes this way on every 90th push).
        var length = first.Length + second.Length + third.Length;
        var bytes = new NativeBytes { _pointer = length == 0 ? null : (byte*)NativeMemory.Alloc((nuint)length), _length = length };
        first.CopyTo(bytes.Span);
        second.CopyTo(bytes.Span[first.Length..]);
        third.CopyTo(bytes.Span[(first.Length + second.Length)..]);
        return bytes;
    }

    public readonly int Length => _length;

    public readonly Span<byte> Span => new(_pointer, _length);

    /// <summary>Gives the memory back; the buffer is then empty (freeing an empty one does nothing).</summary>
    public void Free()
    {
        if (_pointer != null) NativeMemory.Free(_pointer);
        _pointer = null;
        _length = 0;
    }
}
