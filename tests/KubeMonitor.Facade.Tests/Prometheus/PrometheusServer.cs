using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// A real Prometheus 2.42 (the Debian <c>prometheus</c> binary) on 127.0.0.1 that takes remote
/// writes, shared by the whole test assembly: started on first use of <see cref="SharedAsync"/>,
/// killed and its folder deleted when the test host exits. Tests keep apart by a label of their
/// own (<see cref="ExporterSeries"/>), not by servers: one start costs seconds, a label nothing.
/// </summary>
public sealed class PrometheusServer
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    // Another process can take the free port between our probe and Prometheus's bind.
    private const int StartAttempts = 3;
    private const int KeptLines = 200;
    private static readonly Lazy<Task<PrometheusServer>> Shared = new(StartAsync);

    // Tests write at fixed past times (2026-11-26T07:00Z plus hours) in any order, and one may
    // write at the current time: the window must cover the whole spread, since Prometheus measures
    // it back from the newest sample it holds.
    private const string Config = """
        # No scrape configs: every sample comes by remote write from the tests.
        storage:
          tsdb:
            out_of_order_time_window: 3650d
        """;

    private readonly string _folder;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private PrometheusServer(string folder, int port, Process process, ConcurrentQueue<string> output)
    {
        _folder = folder;
        _process = process;
        _output = output;
        Url = new Uri($"http://127.0.0.1:{port}/");
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        Writer = new RemoteWriter(Http, Url);
    }

    /// <summary>The one server of this test run, started on the first call.</summary>
    public static Task<PrometheusServer> SharedAsync() => Shared.Value;

    /// <summary>The base URL of its HTTP API, ending in <c>/</c>.</summary>
    public Uri Url { get; }

    public HttpClient Http { get; }

    public RemoteWriter Writer { get; }

    /// <summary>The last lines Prometheus logged (it logs to stderr), for failure messages.</summary>
    public string Output => $"--- prometheus (last {KeptLines} lines) ---\n" + string.Join('\n', _output);

    public Task WriteAsync(IEnumerable<MetricSample> samples, CancellationToken cancellationToken = default) =>
        Writer.WriteAsync(samples, cancellationToken);

    /// <summary>
    /// <c>GET api/v1/query</c> at <paramref name="time"/> (millisecond precision); the <c>data</c>
    /// of a successful answer (<c>resultType</c>, <c>result</c>), else an exception with the answer.
    /// </summary>
    public async Task<JsonNode> QueryAsync(string query, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        var seconds = (time.ToUnixTimeMilliseconds() / 1000m).ToString(CultureInfo.InvariantCulture);
        var uri = new Uri(Url, $"api/v1/query?query={Uri.EscapeDataString(query)}&time={seconds}");
        using var response = await Http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var answer = response.IsSuccessStatusCode ? JsonNode.Parse(body) : null;
        if ((string?)answer?["status"] != "success")
        {
            throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode} to {query}: {body}");
        }
        return answer!["data"]!;
    }

    /// <summary>The raw samples of <paramref name="selector"/> over <paramref name="range"/> up to <paramref name="at"/> (a range selector, no functions).</summary>
    public async Task<IReadOnlyList<QueriedSeries>> SelectAsync(string selector, TimeSpan range, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        QueriedSeries.FromMatrix(await QueryAsync($"{selector}[{(long)range.TotalMilliseconds}ms]", at, cancellationToken));

    private static async Task<PrometheusServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("km-prometheus-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "prometheus.yml"), Config);
            for (var attempt = 1; ; attempt++)
            {
                var server = await LaunchAsync(folder, FacadeProcess.FreePort());
                var failure = await server.WaitUntilReadyAsync();
                if (failure is null)
                {
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                    return server;
                }
                server.Kill();
                if (attempt == StartAttempts || !server.Output.Contains("address already in use", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{failure}\n{server.Output}");
                }
            }
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static async Task<PrometheusServer> LaunchAsync(string folder, int port)
    {
        // setpriv --pdeathsig: should the test host die without running its exit handlers, the
        // kernel kills Prometheus too rather than leave it holding a port and a folder.
        string[] arguments =
        [
            "--pdeathsig", "KILL", "--", "prometheus",
            $"--config.file={Path.Combine(folder, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver",
        ];
        var start = new ProcessStartInfo("setpriv")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var output = new ConcurrentQueue<string>();
        var process = await StartFromLongLivedThread(start);
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new PrometheusServer(folder, port, process, output);
    }

    /// <summary>
    /// The parent-death signal follows the thread that forked, not the process: started from a
    /// pool thread, Prometheus would be killed whenever the pool retired that thread. So it is
    /// started from a thread of its own that lives until Prometheus ends (or the test host does).
    /// </summary>
    private static Task<Process> StartFromLongLivedThread(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var parent = new Thread(() =>
        {
            Process? process;
            try
            {
                process = Process.Start(start);
            }
            catch (Win32Exception e)
            {
                started.SetException(new InvalidOperationException("Could not run setpriv (Debian package util-linux): " + e.Message, e));
                return;
            }
            if (process is null)
            {
                started.SetException(new InvalidOperationException("setpriv did not start."));
                return;
            }
            started.SetResult(process);
            // Not disposed by anyone (the host is exiting when it is killed), so this wait is safe.
            process.WaitForExit();
        })
        {
            IsBackground = true,
            Name = "prometheus parent",
        };
        parent.Start();
        return started.Task;
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > KeptLines) output.TryDequeue(out _);
    }

    /// <summary>Null once <c>/-/ready</c> answers 200; else why not (it exited, or the timeout passed).</summary>
    private async Task<string?> WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited) return $"Prometheus exited with code {_process.ExitCode} before it was ready on {Url}.";
            try
            {
                using var response = await Http.GetAsync(new Uri(Url, "-/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return null;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // a request timed out on a busy machine: the deadline decides
            }
            await Task.Delay(100);
        }
        return $"Prometheus was not ready on {Url} within {ReadyTimeout.TotalSeconds} s.";
    }

    private void Kill()
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

    private void Stop()
    {
        Http.Dispose();
        Kill();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // nothing to report to at process exit; the folder is under the temp directory
        }
    }
}
