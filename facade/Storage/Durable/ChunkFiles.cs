using System.Buffers;
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// The data directory's closed chunks, in <c>chunks/NNNNNNNN</c>, as Prometheus keeps full head
/// chunks in <c>chunks_head</c>: a checkpoint writes each closed chunk once, into a file of its
/// own, and from then on names the chunk by its place (file and offset) instead of writing its
/// bytes again. A checkpoint thus writes the open heads and what was closed since the one before,
/// not the whole window. A file is deleted by the first checkpoint that names none of its chunks:
/// retention reaches disk when the last chunk of a file expires.
/// </summary>
/// <remarks>
/// A file is a header record, then one record per chunk (its bytes; the checkpoint keeps the rest
/// of what describes it). Numbers only grow, even past a failed checkpoint, so a place that
/// memory kept from a failed write never names a chunk of another file.
/// </remarks>
internal sealed class ChunkFiles
{
    // A place is the file's number above 36 bits of offset: 64 GiB a file, 2^27 files.
    private const int OffsetBits = 36;

    private readonly string _directory;
    private HashSet<long> _named = [];
    private long _next;

    public ChunkFiles(string dataDirectory)
    {
        _directory = In(dataDirectory);
        _next = NumberedFiles.In(_directory).Select(f => f.Number).DefaultIfEmpty(0).Max() + 1;
    }

    public static string In(string dataDirectory) => Path.Combine(dataDirectory, "chunks");

    private static long FileOf(long place) => place >>> OffsetBits;

    private static long OffsetOf(long place) => place & ((1L << OffsetBits) - 1);

    /// <summary>The files a loaded checkpoint names (<see cref="Reader.FilesRead"/>): their chunks are not written again.</summary>
    public void Loaded(IReadOnlySet<long> files)
    {
        _named = [.. files];
    }

    /// <summary>A new file for the chunks one checkpoint meets first.</summary>
    public Writer Begin() => new(this, _next++);

    /// <summary>
    /// After the checkpoint that <paramref name="writer"/> served is on disk: its files are the ones
    /// to keep; every other file is deleted. Returns how many were.
    /// </summary>
    public int Commit(Writer writer)
    {
        _named = writer.Named;
        var deleted = 0;
        foreach (var (number, path) in NumberedFiles.In(_directory))
        {
            if (_named.Contains(number)) continue;
            File.Delete(path);
            deleted++;
        }
        return deleted;
    }

    /// <summary>
    /// One checkpoint's chunk file, and the record of which files that checkpoint names. Used by one
    /// thread, the checkpoint's, under each entity's lock in turn.
    /// </summary>
    public sealed class Writer : IChunkArchive, IDisposable
    {
        private readonly ChunkFiles _files;
        private readonly long _number;
        private readonly string _path;
        private readonly ArrayBufferWriter<byte> _frame = new(16 * 1024);
        private FileStream? _file;
        private long _length;

        internal Writer(ChunkFiles files, long number)
        {
            _files = files;
            _number = number;
            _path = Path.Combine(files._directory, WriteAheadLog.SegmentName(number));
        }

        /// <summary>Files whose chunks the checkpoint names.</summary>
        internal HashSet<long> Named { get; } = [];

        /// <summary>Bytes written to this checkpoint's file (0 when no chunk was new).</summary>
        public long BytesWritten => _length;

        public long Place(ReadOnlySpan<byte> bytes, long storedAt)
        {
            var file = FileOf(storedAt);
            if (storedAt != 0 && (file == _number || _files._named.Contains(file)))
            {
                Named.Add(file);
                return storedAt;
            }
            if (_file is null) Open();
            var place = (_number << OffsetBits) | _length;
            _frame.ResetWrittenCount();
            Frames.Write(RecordKind.Chunk, bytes, _frame, compress: false);
            _file!.Write(_frame.WrittenSpan);
            _length += _frame.WrittenCount;
            if (_length >= 1L << OffsetBits) throw new IOException($"Chunk file {_path} is past {1L << OffsetBits} bytes.");
            Named.Add(_number);
            return place;
        }

        private void Open()
        {
            Directory.CreateDirectory(_files._directory);
            _file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1024 * 1024);
            var header = new RecordWriter();
            FormatHeader.ForChunkFile(_number).Write(header);
            _frame.ResetWrittenCount();
            Frames.Write(RecordKind.Header, header.Written, _frame, compress: false);
            _file.Write(_frame.WrittenSpan);
            _length = _frame.WrittenCount;
        }

        /// <summary>Puts what was written on disk, and the file's name in its folder, before the checkpoint that names them.</summary>
        public void Sync()
        {
            if (_file is null) return;
            _file.Flush(flushToDisk: true);
            DirectorySync.Sync(_files._directory);
        }

        /// <summary>After a failed checkpoint: the file goes, and its places are never taken as stored (its number is not reused).</summary>
        public void Abandon()
        {
            Dispose();
            try
            {
                File.Delete(_path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next checkpoint that succeeds: it deletes every file it does not name.
            }
        }

        public void Dispose() => _file?.Dispose();
    }

    /// <summary>
    /// Reads chunks by place for a start, checking each record's checksum. Each file is mapped
    /// into memory: a checkpoint names chunks in whatever order its entities were imaged, which
    /// after a restart is not the order they were written in, and a mapping reads either order
    /// without a system call per chunk.
    /// </summary>
    public sealed class Reader(string dataDirectory) : IDisposable
    {
        private readonly string _directory = In(dataDirectory);
        private readonly Dictionary<long, MappedFile?> _files = [];
        private readonly byte[] _header = new byte[Frames.HeaderSize];

        /// <summary>The files chunks were read from.</summary>
        public HashSet<long> FilesRead { get; } = [];

        /// <summary>The bytes of the chunk at <paramref name="place"/>, which its checkpoint says are <paramref name="length"/> long.</summary>
        /// <exception cref="UnreadableChunkException">The file is missing, or the record there is not that chunk, whole and intact.</exception>
        public byte[] Read(long place, int length)
        {
            var number = FileOf(place);
            var offset = OffsetOf(place);
            var name = Path.Combine("chunks", WriteAheadLog.SegmentName(number));
            if (!_files.TryGetValue(number, out var file))
            {
                file = MappedFile.Open(Path.Combine(_directory, WriteAheadLog.SegmentName(number)));
                _files[number] = file;
            }
            if (file is null) throw new UnreadableChunkException($"{name}, which it names, is missing");
            var header = _header;
            var data = new byte[length];
            if (!file.TryRead(offset, header, Frames.HeaderSize)
                || BinaryPrimitives.ReadInt32LittleEndian(header) != length
                || header[8] != (byte)RecordKind.Chunk
                || !file.TryRead(offset + Frames.HeaderSize, data, length)
                || Crc32C.Append(header[8], data) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)))
            {
                throw new UnreadableChunkException($"the chunk it names at byte {offset} of {name} is not there, whole and intact");
            }
            FilesRead.Add(number);
            return data;
        }

        public void Dispose()
        {
            foreach (var file in _files.Values) file?.Dispose();
        }

        private sealed class MappedFile(MemoryMappedFile map, MemoryMappedViewAccessor view, long length) : IDisposable
        {
            /// <summary>The file mapped for reading, or null when it is missing or empty.</summary>
            public static MappedFile? Open(string path)
            {
                var length = File.Exists(path) ? new FileInfo(path).Length : 0;
                if (length == 0) return null;
                var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
                return new MappedFile(map, map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read), length);
            }

            /// <summary>Copies the <paramref name="count"/> bytes at <paramref name="offset"/>; false when the file ends before them.</summary>
            public bool TryRead(long offset, byte[] into, int count) =>
                offset <= length - count && view.ReadArray(offset, into, 0, count) == count;

            public void Dispose()
            {
                view.Dispose();
                map.Dispose();
            }
        }
    }
}

/// <summary>A chunk a checkpoint names cannot be read: its entity is not loaded, the rest is.</summary>
internal sealed class UnreadableChunkException(string message) : Exception(message);
