using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// The <c>prometheus</c> binary in a folder of its own, under a watchdog shell that outlives the
/// test host: the test platform kills the host about 100 ms after the last test, too soon for exit
/// handlers to stop a server and delete its data. So the shell waits for the host to end, however
/// it ends (a crash, a SIGKILL), then kills Prometheus and deletes the folder, within a second.
/// setsid keeps the shell out of the host's process group (a Ctrl-C there is the host's);
/// <c>--pdeathsig</c> kills Prometheus should the shell itself be killed. The shell ends with
/// Prometheus, with its exit status, so a failed start shows here as an exit.
/// </summary>
internal sealed class PrometheusProcess
{
    private const int KeptLines = 200;

    private const string Watchdog = """
        owner=$1; folder=$2; shift 2
        setpriv --pdeathsig KILL -- "$@" &
        server=$!
        (while kill -0 "$owner" 2>/dev/null; do sleep 0.5; done; kill -9 "$server" 2>/dev/null) &
        watcher=$!
        wait "$server"
        status=$?
        kill "$watcher" 2>/dev/null
        rm -rf "$folder"
        exit "$status"
        """;

    private readonly string _folder;
    private readonly Process _shell;
    private readonly ConcurrentQueue<string> _output = new();

    private PrometheusProcess(string folder, Process shell)
    {
        _folder = folder;
        _shell = shell;
        shell.OutputDataReceived += (_, e) => Keep(e.Data);
        shell.ErrorDataReceived += (_, e) => Keep(e.Data);
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();
    }

    /// <summary>Starts Prometheus with this configuration on 127.0.0.1:<paramref name="port"/>, remote write on.</summary>
    public static PrometheusProcess Start(string config, int port)
    {
        var folder = Directory.CreateTempSubdirectory("km-prometheus-").FullName;
        File.WriteAllText(Path.Combine(folder, "prometheus.yml"), config);
        string[] arguments =
        [
            "sh", "-c", Watchdog, "prometheus-watchdog", $"{Environment.ProcessId}", folder,
            "prometheus",
            $"--config.file={Path.Combine(folder, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver",
        ];
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            return new PrometheusProcess(folder, Process.Start(start) ?? throw new InvalidOperationException("setsid did not start."));
        }
        catch (Win32Exception e)
        {
            Directory.Delete(folder, recursive: true);
            throw new InvalidOperationException("Could not run setsid (Debian package util-linux): " + e.Message, e);
        }
    }

    public bool HasExited => _shell.HasExited;

    public int ExitCode => _shell.ExitCode;

    /// <summary>The last lines Prometheus logged (it logs to stderr), for failure messages.</summary>
    public string Output => $"--- prometheus (last {KeptLines} lines) ---\n" + string.Join('\n', _output);

    /// <summary>Ends it now (a start that failed): the whole tree, watchdog included, then its folder.</summary>
    public void Stop()
    {
        try
        {
            if (!_shell.HasExited) _shell.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // ended meanwhile
        }
        _shell.WaitForExit();
        _shell.Dispose();
        // The watchdog deleted it already when Prometheus ended by itself.
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > KeptLines) _output.TryDequeue(out _);
    }
}
