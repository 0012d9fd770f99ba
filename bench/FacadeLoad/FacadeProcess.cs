using System.Diagnostics;
using System.Globalization;

namespace KubeMonitor.FacadeLoad;

/// <summary>
/// The facade under test as a real process on 127.0.0.1, and what the kernel says it costs:
/// CPU time from /proc/&lt;pid&gt;/stat, resident memory from /proc/&lt;pid&gt;/status.
/// </summary>
internal sealed class FacadeProcess : IDisposable
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly Process _process;

    private FacadeProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Starts <c>dotnet dll</c> with its output in <paramref name="logPath"/> and waits until /readyz answers.</summary>
    public static async Task<FacadeProcess> StartAsync(
        string dll, IEnumerable<string> arguments, IDictionary<string, string> environment, string logPath, Uri baseAddress, TimeSpan? readyTimeout = null)
    {
        var timeout = readyTimeout ?? TimeSpan.FromSeconds(60);
        // Run from the published directory, as a container does: its appsettings.json applies.
        var fullPath = Path.GetFullPath(dll);
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(fullPath),
        };
        start.ArgumentList.Add(fullPath);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var facade = new FacadeProcess(process);

        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited) throw new InvalidOperationException($"The facade exited with {process.ExitCode}; see {logPath}.");
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.IsSuccessStatusCode) return facade;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        facade.Dispose();
        throw new TimeoutException($"The facade did not get ready in {timeout.TotalSeconds:F0} s; see {logPath}.");
    }

    /// <summary>User plus system CPU time of the facade so far.</summary>
    public TimeSpan CpuTime()
    {
        // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
        var stat = File.ReadAllText($"/proc/{Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / ClockTicksPerSecond);
    }

    /// <summary>
    /// CPU time of the facade's threads that are alive now, to the nanosecond (the first field of
    /// /proc/&lt;pid&gt;/task/*/schedstat): <see cref="CpuTime"/> counts 10 ms ticks, too coarse for a
    /// thousand inserts. A thread that exits takes its time with it, so use only differences over
    /// short spans in which the thread pool is busy.
    /// </summary>
    public TimeSpan ThreadCpuTime()
    {
        long nanoseconds = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{Id}/task"))
        {
            try
            {
                var schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                nanoseconds += long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                // The thread exited while the directory was read.
            }
        }
        return TimeSpan.FromTicks(nanoseconds / 100);
    }

    /// <summary>Resident set size (VmRSS) in bytes.</summary>
    public long ResidentBytes() => StatusField("VmRSS") * 1024;

    /// <summary>The highest resident set size so far (VmHWM) in bytes: what a large answer cost at its peak.</summary>
    public long PeakResidentBytes() => StatusField("VmHWM") * 1024;

    /// <summary>Threads of the process now: a thread pool that grows is one whose threads are blocked.</summary>
    public int ThreadCount() => (int)StatusField("Threads");

    /// <summary>A number field of /proc/&lt;pid&gt;/status ("VmRSS:   123 kB" gives 123).</summary>
    private long StatusField(string name)
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (!line.StartsWith(name + ":", StringComparison.Ordinal)) continue;
            var value = line[(name.Length + 1)..].Trim().Split(' ')[0];
            return long.Parse(value, CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"No {name} line in /proc/{Id}/status.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
