using System.Runtime.InteropServices;

namespace KubeMonitor.Exporter.Host;

/// <summary>
/// Reads whole kernel files with three system calls: open, one read, close. A 110-pod collection
/// reads about 1,650 files; <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>
/// plus <see cref="RandomAccess"/> made five of each (open, fstat, pread until a read returns 0,
/// close), and on a virtual machine every system call costs about as much as the work it asks for
/// (docs/benchmarks.md). A file can also be opened by its name in a directory held open
/// (<see cref="OpenDirectory"/>), which spares the kernel the walk down a seven-part path. Errors
/// become the exceptions .NET throws for the same errno, so callers tell a vanished cgroup from a
/// failure as before.
/// </summary>
internal static partial class KernelFile
{
    /// <summary>AT_FDCWD: a path relative to nothing held, i.e. an ordinary path.</summary>
    public const int NoDirectory = -100;

    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC, the same on x86-64 and arm64
    private const int PathOnlyCloseOnExec = 0x200000 | 0x80000; // O_PATH | O_CLOEXEC, the same on x86-64 and arm64
    private const int ResourceOpenFiles = 7; // RLIMIT_NOFILE, the same on x86-64 and arm64
    private const int Eintr = 4;
    private const int Enoent = 2;
    private const int Enotdir = 20;
    private const int Eacces = 13;
    private const int Eperm = 1;

    /// <summary>Reads the file at <paramref name="path"/> (at most <see cref="HostRoot.MaxFileBytes"/>) as UTF-8.</summary>
    public static string ReadText(string path) => ReadText(NoDirectory, path, path);

    /// <summary>
    /// Reads the file <paramref name="name"/> of the directory held as <paramref name="directory"/>
    /// (or <see cref="NoDirectory"/>); <paramref name="path"/> names it in errors.
    /// </summary>
    public static string ReadText(int directory, string name, string path)
    {
        // Pooled: a scrape reads thousands of small kernel files, and a fresh array per file cost
        // ~150 MB of garbage per scrape on a 110-pod node. 64 KiB holds /proc/stat of 512 CPUs;
        // a bigger file is read again into a bigger buffer.
        var size = 64 * 1024;
        while (true)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var length = Read(directory, name, path, buffer.AsSpan(0, Math.Min(buffer.Length, HostRoot.MaxFileBytes)), out var full);
                if (!full || length >= HostRoot.MaxFileBytes) return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
                size = Math.Min(buffer.Length * 2, HostRoot.MaxFileBytes);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> from the start of the file and returns the bytes read. A read
    /// shorter than asked is the end: procfs, sysfs and cgroupfs files are seq_files, which fill
    /// every read they can, and so do regular files. Stops when the buffer is full;
    /// <paramref name="full"/> then says more may follow.
    /// </summary>
    public static int Read(int directory, string name, string path, Span<byte> buffer, out bool full)
    {
        var fd = OpenRetrying(directory, name, ReadOnlyCloseOnExec, path);
        try
        {
            var length = 0;
            while (length < buffer.Length)
            {
                var read = ReadInto(fd, ref buffer[length], buffer.Length - length);
                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr) continue;
                    throw ErrorFor(errno, path);
                }
                length += (int)read;
                if (read == 0 || length < buffer.Length) break;
            }
            full = length == buffer.Length;
            return length;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Holds the directory at <paramref name="path"/> open (O_PATH: no read permission needed) for <see cref="ReadText(int, string, string)"/>.</summary>
    public static int OpenDirectory(string path) => OpenRetrying(NoDirectory, path, PathOnlyCloseOnExec, path);

    public static void CloseDirectory(int directory) => _ = Close(directory);

    /// <summary>How many files this process may have open (RLIMIT_NOFILE, soft); null when unknown.</summary>
    public static ulong? OpenFilesLimit() => GetResourceLimit(ResourceOpenFiles, out var limit) == 0 ? limit.Soft : null;

    private static int OpenRetrying(int directory, string name, int flags, string path)
    {
        int fd;
        do
        {
            fd = OpenAt(directory, name, flags);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Eintr);
        return fd >= 0 ? fd : throw ErrorFor(Marshal.GetLastPInvokeError(), path);
    }

    /// <summary>The exception .NET's own file APIs throw for <paramref name="errno"/>.</summary>
    internal static Exception ErrorFor(int errno, string path)
    {
        var message = $"{path}: {Marshal.GetPInvokeErrorMessage(errno)}";
        return errno switch
        {
            Enoent => new FileNotFoundException(message, path),
            Enotdir => new DirectoryNotFoundException(message),
            Eacces or Eperm => new UnauthorizedAccessException(message),
            // .NET's IOException for an errno it has no type for carries the errno as HResult.
            _ => new IOException(message, errno),
        };
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int directory, string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadInto(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetResourceLimit(int resource, out ResourceLimit limit);
}
