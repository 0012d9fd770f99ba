using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Where closed chunks live: copied one after another into slabs of pages mapped for them, one
/// run of slabs for the chunks whose newest row falls in the same minute. Retention drops a chunk
/// once its newest row is older than the bound, so a minute's chunks go within about a minute of
/// each other and their slab is unmapped whole: its pages leave RSS at once. As blocks of the C
/// allocator, each chunk cost 16 bytes of header, and the chunks sat between the open heads, whose
/// outgrown blocks stayed as holes no trim could give back (271 MiB at 150,000 pods in a run
/// that held part of an hour, docs/benchmarks.md).
/// </summary>
/// <remarks>
/// Process-wide, as the allocator it replaces; thread-safe. A chunk is named by its slab's number
/// and its place in it (<see cref="SlabChunk"/>), so that the slab learns when its last chunk goes.
/// A slab's untouched pages are never resident: a half-filled one costs what it holds.
/// </remarks>
internal static unsafe partial class ChunkSlabs
{
    /// <summary>Bytes a slab maps (chunks of 90 rows are about 1 KB).</summary>
    public const int SlabBytes = 256 * 1024;

    // A chunk larger than this gets a slab of its own, so that a shared one wastes little at its end.
    private const int LargestShared = SlabBytes / 8;
    private const long MinuteMs = 60_000;

    private static readonly Lock s_gate = new();
    // Slab number -> slab; number 0 is never used, so that a default SlabChunk names none.
    private static Slab?[] s_slabs = new Slab?[64];
    private static readonly Stack<int> s_freeNumbers = new();
    private static int s_nextNumber = 1;
    // Minute of the newest row -> the slab its chunks are copied into now.
    private static readonly Dictionary<long, Slab> s_filling = [];

    /// <summary>A chunk of <paramref name="first"/> then <paramref name="second"/>, placed by the minute of its newest row.</summary>
    public static SlabChunk CopyOf(long newestMs, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var length = first.Length + second.Length;
        if (length == 0) return default;
        if (length > SlabChunk.MaxLength) throw new InvalidDataException($"A chunk of {length} bytes is longer than any chunk writes.");
        var chunk = Reserve(newestMs / MinuteMs, length);
        // The place is this chunk's alone once reserved; the slab stays mapped while it is counted.
        var target = new Span<byte>(Start(chunk.Slab) + chunk.Offset, length);
        first.CopyTo(target);
        second.CopyTo(target[first.Length..]);
        return chunk;
    }

    /// <summary>The bytes of a chunk this class holds.</summary>
    public static Span<byte> Bytes(SlabChunk chunk) =>
        chunk.Length == 0 ? default : new Span<byte>(Start(chunk.Slab) + chunk.Offset, chunk.Length);

    /// <summary>Gives a chunk's place back; its slab is unmapped with its last chunk.</summary>
    public static void Free(in SlabChunk chunk)
    {
        if (chunk.Length == 0) return;
        Slab? emptied = null;
        lock (s_gate)
        {
            var slab = s_slabs[chunk.Slab] ?? throw new InvalidOperationException($"Slab {chunk.Slab} is not mapped.");
            if (--slab.Live > 0) return;
            if (s_filling.TryGetValue(slab.Minute, out var filling) && filling == slab) s_filling.Remove(slab.Minute);
            s_slabs[slab.Number] = null;
            s_freeNumbers.Push(slab.Number);
            emptied = slab;
        }
        Pages.Unmap(emptied.Start, emptied.Capacity);
    }

    private static SlabChunk Reserve(long minute, int length)
    {
        lock (s_gate)
        {
            Slab slab;
            if (length > LargestShared)
            {
                slab = Map(minute, length);
            }
            else if (!s_filling.TryGetValue(minute, out slab!) || slab.Capacity - slab.Used < length)
            {
                // A full slab stays until its last chunk goes; later chunks of the minute start the next one.
                slab = Map(minute, SlabBytes);
                s_filling[minute] = slab;
            }
            var offset = slab.Used;
            slab.Used += length;
            slab.Live++;
            return new SlabChunk(slab.Number, offset, length);
        }
    }

    /// <summary>Under the lock: a new slab of at least <paramref name="bytes"/>, numbered.</summary>
    private static Slab Map(long minute, int bytes)
    {
        var capacity = (int)Math.Min(int.MaxValue, (bytes + Pages.Size - 1L) / Pages.Size * Pages.Size);
        var start = Pages.Map(capacity);
        var number = s_freeNumbers.Count > 0 ? s_freeNumbers.Pop() : s_nextNumber++;
        if (number == s_slabs.Length)
        {
            var grown = new Slab?[s_slabs.Length * 2];
            s_slabs.CopyTo(grown, 0);
            Volatile.Write(ref s_slabs, grown);
        }
        var slab = new Slab(number, start, capacity, minute);
        s_slabs[number] = slab;
        return slab;
    }

    // Read without the lock: a chunk's slab was put in the table before the chunk was made, and
    // stays there until the chunk is freed. A table grown since holds the same slabs.
    private static byte* Start(int number) => Volatile.Read(ref s_slabs)[number]!.Start;

    private sealed class Slab(int number, byte* start, int capacity, long minute)
    {
        public int Number { get; } = number;
        public byte* Start { get; } = start;
        public int Capacity { get; } = capacity;
        public long Minute { get; } = minute;
        /// <summary>Bytes handed out; the rest of the slab has never been touched.</summary>
        public int Used { get; set; }
        /// <summary>Chunks in the slab not freed yet.</summary>
        public int Live { get; set; }
    }

    /// <summary>Anonymous pages from the kernel (<c>mmap</c>), given back whole (<c>munmap</c>); the C allocator elsewhere.</summary>
    private static partial class Pages
    {
        public const int Size = 4096;
        private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20;

        public static byte* Map(int bytes)
        {
            if (!OperatingSystem.IsLinux()) return (byte*)NativeMemory.AllocZeroed((nuint)bytes);
            var start = MapPages(0, (nuint)bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (start == -1) throw new InsufficientMemoryException($"mmap of {bytes} bytes failed (errno {Marshal.GetLastPInvokeError()}).");
            return (byte*)start;
        }

        public static void Unmap(byte* start, int bytes)
        {
            if (!OperatingSystem.IsLinux())
            {
                NativeMemory.Free(start);
                return;
            }
            if (UnmapPages((nint)start, (nuint)bytes) != 0) throw new InvalidOperationException($"munmap failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static partial nint MapPages(nint address, nuint length, int protection, int flags, int fd, nint offset);

        [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
        private static partial int UnmapPages(nint address, nuint length);
    }
}

/// <summary>A closed chunk's place in <see cref="ChunkSlabs"/>, in 8 bytes (a chunk table holds millions).</summary>
internal readonly record struct SlabChunk
{
    // Low to high: length 24 bits, offset in the slab 18, slab number 22 (4 million slabs, 1 TiB).
    private const int LengthBits = 24, OffsetBits = 18, SlabBits = 22;
    public const int MaxLength = (1 << LengthBits) - 1;
    public const int MaxSlab = (1 << SlabBits) - 1;

    private readonly ulong _bits;

    public SlabChunk(int slab, int offset, int length)
    {
        if ((uint)slab > MaxSlab || (uint)offset >= 1u << OffsetBits || (uint)length > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Slab {slab}, offset {offset}, length {length} do not fit a chunk's place.");
        }
        _bits = (uint)length | (ulong)(uint)offset << LengthBits | (ulong)(uint)slab << (LengthBits + OffsetBits);
    }

    public int Length => (int)(_bits & MaxLength);

    public int Offset => (int)((_bits >> LengthBits) & ((1u << OffsetBits) - 1));

    public int Slab => (int)(_bits >> (LengthBits + OffsetBits));
}
