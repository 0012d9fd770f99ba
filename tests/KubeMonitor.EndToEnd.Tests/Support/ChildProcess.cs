using System.Collections.Concurrent;
using System.Diagnostics;

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>
/// A server the test runs (a shipped dll with <c>dotnet</c>, or Prometheus), its output kept
/// (the last lines go into failure messages). Dispose kills it; <see cref="Kill"/> ends it on
/// purpose (an outage, a crash).
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public string Name { get; }

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>Runs a shipped dll from its own folder (where its appsettings are), with more environment if given.</summary>
    public static ChildProcess StartDotnet(string name, string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(name, "dotnet", [dll, .. arguments], Path.GetDirectoryName(dll)!, environment);

    public static ChildProcess Start(
        string name, string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Not the test host's environment for ASP.NET: the product's own defaults.
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var started = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => started.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => started.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines it wrote, for a failure message.</summary>
    public string Output => $"--- {Name} (last {KeptLines} lines) ---\n" + string.Join('\n', _output);

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > KeptLines) _output.TryDequeue(out _);
    }

    /// <summary>SIGKILL and wait: no graceful shutdown, as a crash or an evicted pod.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // ended meanwhile
        }
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
