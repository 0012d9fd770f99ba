using System.Diagnostics;
using System.Reflection;
using System.Text;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Support;

/// <summary>
/// The exporter as built (<c>dotnet kubemonitor-exporter.dll</c>), run as a child process with
/// its output kept. Dispose kills it. The project reference builds it, in the test's Configuration.
/// </summary>
internal sealed class ShippedExporter : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ShippedExporter(Process process)
    {
        _process = process;
    }

    /// <summary>exporter/bin/&lt;Configuration&gt;/net10.0.</summary>
    public static string BuiltFolder { get; } = FindBuiltFolder();

    /// <summary>
    /// Starts <c>dotnet &lt;folder&gt;/kubemonitor-exporter.dll</c> with <paramref name="arguments"/>,
    /// in <paramref name="workingDirectory"/>; <paramref name="prefix"/> goes before <c>dotnet</c>
    /// (e.g. setpriv to run it as another user).
    /// </summary>
    public static ShippedExporter Start(string folder, string workingDirectory, IEnumerable<string> arguments, IEnumerable<string>? prefix = null)
    {
        var command = (prefix ?? []).Concat(["dotnet", Path.Combine(folder, "kubemonitor-exporter.dll"), .. arguments]).ToList();
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        // The product's own defaults, not the test host's environment.
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start.");
        var started = new ShippedExporter(process);
        process.OutputDataReceived += (_, e) => Keep(started._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(started._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    public bool HasExited => _process.HasExited;

    public string StandardOutput
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    public string StandardError
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public string Output => $"--- exporter stdout ---\n{StandardOutput}--- exporter stderr ---\n{StandardError}";

    /// <summary>Waits (bounded) for the program to end and returns its exit code, with all output read.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The exporter did not exit within {timeout}.\n{Output}");
        }
        return _process.ExitCode;
    }

    private static void Keep(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.Append(line).Append('\n');
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
            // ended meanwhile
        }
        _process.Dispose();
    }

    private static string FindBuiltFolder()
    {
        var configuration = typeof(ShippedExporter).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "Configuration").Value
            ?? throw new InvalidOperationException("The test assembly does not record its Configuration.");
        var folder = Path.Combine(RepoPaths.Root, "exporter", "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(folder, "kubemonitor-exporter.dll"))
            ? folder
            : throw new FileNotFoundException($"{folder}/kubemonitor-exporter.dll is not built (the test project's reference builds it).");
    }
}
