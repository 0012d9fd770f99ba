using System.Runtime.InteropServices;

namespace KubeMonitor.Exporter.Host;

/// <summary>
/// Reads a whole kernel file with three system calls: open, one read, close. A 110-pod collection
/// reads about 1,650 files; <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>
/// plus <see cref="RandomAccess"/> made five of each (open, fstat, pread until a read returns 0,
/// close), and on a virtual machine every system call costs about as much as the work it asks for
/// (docs/benchmarks.md). Errors become the exceptions .NET throws for the same errno, so callers
/// tell a vanished cgroup from a failure as before.
/// </summary>
internal static partial class KernelFile
{
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC, the same on x86-64 and arm64
    private const int Eintr = 4;
    private const int Enoent = 2;
    private const int Enotdir = 20;
    private const int Eacces = 13;
    private const int Eperm = 1;

    /// <summary>
    /// Fills <paramref name="buffer"/> from the start of the file at <paramref name="path"/> and
    /// returns the bytes read. A read shorter than asked is the end: procfs, sysfs and cgroupfs
    /// files are seq_files, which fill every read they can, and so do regular files. Stops when
    /// the buffer is full; <paramref name="full"/> then says more may follow.
    /// </summary>
    public static int Read(string path, Span<byte> buffer, out bool full)
    {
        int fd;
        do
        {
            fd = Open(path, ReadOnlyCloseOnExec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Eintr);
        if (fd < 0) throw ErrorFor(Marshal.GetLastPInvokeError(), path);
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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadInto(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
