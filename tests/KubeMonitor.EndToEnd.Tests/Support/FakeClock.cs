namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>
/// A wrong wall clock for a child process, with Debian's libfaketime (LD_PRELOAD): the offset is
/// read from a file at every clock read, so a test can step it while the process runs, as NTP
/// does. Monotonic clocks stay real (timers and timeouts are not disturbed).
/// </summary>
internal sealed class FakeClock : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"kme2e-clock-{Guid.NewGuid():N}");

    public FakeClock(TimeSpan offset) => Set(offset);

    /// <summary>The library, wherever the architecture puts it (package libfaketime, installed by test.sh).</summary>
    private static string Library { get; } =
        Directory.EnumerateFiles("/usr/lib", "libfaketime.so.1", SearchOption.AllDirectories).FirstOrDefault()
        ?? throw new InvalidOperationException("libfaketime.so.1 not found under /usr/lib: test.sh installs the faketime package.");

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["LD_PRELOAD"] = Library,
        ["FAKETIME_TIMESTAMP_FILE"] = _file,
        ["FAKETIME_NO_CACHE"] = "1",
        ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
    };

    /// <summary>From now on the process's clock is this far from the real one.</summary>
    public void Set(TimeSpan offset) =>
        File.WriteAllText(_file, $"{(offset < TimeSpan.Zero ? "-" : "+")}{(long)Math.Abs(offset.TotalSeconds)}s\n");

    public void Dispose() => File.Delete(_file);
}
