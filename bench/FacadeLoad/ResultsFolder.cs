using System.Diagnostics;
using System.Text;

namespace KubeMonitor.FacadeLoad;

/// <summary>
/// A run's folder under bench/FacadeLoad/results (<c>--results</c>): <c>machine.txt</c> (when,
/// where, which commit, the command, the load average), <c>output.txt</c> (everything printed)
/// and any tables the run writes.
/// </summary>
internal sealed class ResultsFolder : IDisposable
{
    private readonly string _path;
    private readonly TextWriter _console;
    private readonly StreamWriter _output;

    private ResultsFolder(string path)
    {
        _path = path;
        _console = Console.Out;
        _output = new StreamWriter(Path.Combine(path, "output.txt")) { AutoFlush = true };
        Console.SetOut(new TeeWriter(_console, _output));
    }

    public static ResultsFolder Open(string path)
    {
        // Before the folder exists: a new results folder is not a change to the code measured.
        var machine = string.Join('\n',
        [
            $"date: {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}",
            $"kernel: {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}",
            $"cpu: {CpuModel()} x {Environment.ProcessorCount}",
            $"memory: {MemoryGb()} GB",
            $"commit: {Run("git", "rev-parse", "--short", "HEAD")}{(Run("git", "status", "--porcelain", "--", "facade", "bench").Length > 0 ? " (with uncommitted changes)" : "")}",
            $"dotnet: {Run("dotnet", "--version")}",
            $"prometheus: {Run("prometheus", "--version").Split('\n')[0]}",
            // The program relative to where it ran (the repository root): a results file names no path of this machine.
            $"command: dotnet {string.Join(' ', [Path.GetRelativePath(Environment.CurrentDirectory, Environment.GetCommandLineArgs()[0]), .. Environment.GetCommandLineArgs()[1..]])}",
            $"loadavg at start: {LoadAverage()}",
            "",
        ]);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "machine.txt"), machine);
        return new ResultsFolder(path);
    }

    public void WriteFile(string name, string text) => File.WriteAllText(Path.Combine(_path, name), text);

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public void Dispose()
    {
        File.AppendAllText(Path.Combine(_path, "machine.txt"), $"loadavg at end: {LoadAverage()}\n");
        Console.SetOut(_console);
        _output.Dispose();
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    private static long MemoryGb()
    {
        var kb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) / 1_000_000;
    }

    private static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output.Trim();
    }

    /// <summary>Writes to the console and to the file.</summary>
    private sealed class TeeWriter(TextWriter first, TextWriter second) : TextWriter
    {
        private readonly Lock _gate = new();

        public override Encoding Encoding => first.Encoding;

        public override void Write(char value)
        {
            lock (_gate)
            {
                first.Write(value);
                second.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                first.Write(value);
                second.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                first.WriteLine(value);
                second.WriteLine(value);
            }
        }
    }
}
