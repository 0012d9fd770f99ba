using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// fsync of a directory, so that a file made or renamed in it is still there after a power loss
/// (.NET has no call for it). Linux only; elsewhere nothing.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    public static void Sync(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(System.Text.Encoding.UTF8.GetBytes(directory + "\0"), ReadOnlyDirectory);
        if (fd < 0) throw new IOException($"Cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport with a NUL-terminated byte array: LibraryImport would need unsafe code in the project.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
