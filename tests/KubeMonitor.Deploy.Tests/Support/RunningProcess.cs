using System.Diagnostics;
using System.Text;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>A long-running program started by a test; its output is kept for failure messages and it is killed on Dispose.</summary>
internal sealed class RunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public string Name { get; }

    private RunningProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public static RunningProcess Start(string name, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var running = new RunningProcess(name, process);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            // The last lines tell what went wrong; a chatty program must not fill the memory.
            if (_output.Length > 200_000) _output.Remove(0, 100_000);
            _output.AppendLine(line);
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers 200, failing early if the program ends.</summary>
    public async Task WaitForOkAsync(HttpClient http, Uri url, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (deadline.Elapsed > timeout) throw new TimeoutException($"{Name} did not answer {url} within {timeout}:\n{Output}");
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
