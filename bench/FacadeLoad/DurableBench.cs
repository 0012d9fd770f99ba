// The cost of the data directory (issue 14, docs/benchmarks.md "Data on disk"). Run from the
// repository root after building the facade and this bench (see Program.cs):
//   dotnet bench/FacadeLoad/bin/Release/net10.0/facade-load.dll --durable /var/tmp [--checkpoint-seconds 60] [--steady-minutes 0]
//     [--results bench/FacadeLoad/results/durable-150000] (machine.txt, output.txt, table.md)
// with the usual --nodes 5000 --pods-per-node 30 --backfill-minutes 15 --concurrency 4. DIR must be
// on the disk to measure (not tmpfs); each run's data directory is a fresh folder in it, deleted after.
// Three facades take the same backfill (a fresh, equally seeded cluster each): no data directory,
// Facade:WalSync=Always, Facade:WalSync=Periodic (checkpoints every --checkpoint-seconds meanwhile,
// as in production); --wal-sync Periodic leaves out the Always run. For each, in the printed table:
//  - facade CPU per sample: the facade's user+system CPU over the backfill / samples stored;
//  - data directory share: (with - without) / with, of that CPU (WAL writes, fsyncs and the
//    checkpoints that fell in the backfill; goal < 20 %);
//  - with --steady-minutes M (default 0): the same after the backfill over M minutes of the cluster
//    at its own rate (a tick every 5 s, checkpoints every --checkpoint-seconds meanwhile): the cost
//    of the data directory in production, where the backfill pushes faster than a cluster does;
//  - push p50/p99: what a push waits, i.e. what WalSync=Always costs an exporter;
//  - WAL bytes per sample: kubemonitor_facade_wal_written_bytes_total / samples stored;
//  - disk per sample after backfill: the data directory's file sizes / samples held;
//  - start to ready after SIGKILL: kill -9 right after the backfill, start on the same directory,
//    seconds until /readyz answers 200 (process start included, polled every 200 ms; goal < 30 s),
//    with what that start loaded (the facade's log line: checkpoint pods, log pushes and samples)
//    and its own kubemonitor_facade_data_replay_duration_seconds;
//  - disk per sample after a checkpoint: that restarted facade checkpoints after
//    RestartCheckpointInterval; file sizes then (an unfinished next checkpoint.tmp not counted);
//  - start to ready from that checkpoint: killed again and started once more;
//  - start to ready after SIGKILL in a steady state: started again with --checkpoint-seconds, the
//    cluster pushed at its own rate (a tick every 5 s) until just before the first checkpoint is
//    due, killed, and started once more: the checkpoint plus nearly a whole interval of log.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KubeMonitor.FacadeLoad;

/// <summary>Settings of the data directory benchmark (<c>--durable DIR</c>); see <see cref="DurableBench"/>.</summary>
internal sealed record DurableOptions(string ParentDirectory, int CheckpointSeconds, int SteadyMinutes, IReadOnlyList<string> WalSyncs, string? ResultsPath)
{
    public void Validate()
    {
        if (WalSyncs.Any(w => w is not ("Always" or "Periodic"))) throw new ArgumentException("--wal-sync takes Always, Periodic or both (comma-separated).");
        if (!Directory.Exists(ParentDirectory)) throw new ArgumentException($"--durable {ParentDirectory}: no such folder.");
        if (CheckpointSeconds < 1) throw new ArgumentException("--checkpoint-seconds must be at least 1.");
        if (SteadyMinutes < 0) throw new ArgumentException("--steady-minutes must be 0 or more.");
    }
}

/// <summary>Ingest with and without <c>Facade:DataDirectory</c>, its disk use, and restarts after SIGKILL.</summary>
internal sealed partial class DurableBench(Options options, DurableOptions durable)
{
    private const int TickSeconds = 5;
    private const string LogPath = "/tmp/facade-load-facade.log";
    private static readonly TimeSpan RestartCheckpointInterval = TimeSpan.FromSeconds(10);
    // Beyond the 30 s goal, so that a slow start is measured rather than given up on.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(10);

    private readonly Uri _baseAddress = new($"http://127.0.0.1:{options.Port}");

    public async Task RunAsync()
    {
        using var results = durable.ResultsPath is { } path ? ResultsFolder.Open(path) : null;
        var parent = Path.GetFullPath(durable.ParentDirectory);
        Console.WriteLine(
            $"facade-load --durable {DateTimeOffset.UtcNow:u}: {options.Nodes} nodes x {options.PodsPerNode} pods, backfill {options.BackfillMinutes} min, " +
            $"checkpoint every {durable.CheckpointSeconds} s, concurrency {options.Concurrency}, {Environment.ProcessorCount} CPUs, data in {parent} ({FileSystemOf(parent)})");
        var runs = new List<Run> { await RunAsync("no data directory", walSync: null) };
        foreach (var walSync in durable.WalSyncs) runs.Add(await RunAsync($"WalSync={walSync}", walSync));
        var table = Table(runs, durable.SteadyMinutes);
        Console.WriteLine();
        Console.Write(table);
        results?.WriteFile("table.md", table);
    }

    private async Task<Run> RunAsync(string label, string? walSync)
    {
        Console.WriteLine($"--- {label}");
        var run = new Run(label);
        var directory = walSync is null ? null : Directory.CreateDirectory(Path.Combine(Path.GetFullPath(durable.ParentDirectory), $"facade-load-durable-{Guid.NewGuid():N}"));
        try
        {
            var durableArguments = directory is null ? [] : DurableArguments(directory, walSync!, TimeSpan.FromSeconds(durable.CheckpointSeconds));
            var cluster = new Cluster(options.Nodes, options.PodsPerNode, options.Seed);
            using (var facade = await StartAsync(durableArguments))
            {
                using var http = Client();
                var ticks = options.BackfillMinutes * 60 / TickSeconds;
                var endMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 5000 * 5000;
                var backfill = await new Pusher(cluster, http, options.Concurrency)
                    .RunAsync(facade, Enumerable.Range(0, ticks).Select(k => endMs - (ticks - 1 - k) * TickSeconds * 1000L), paced: false);
                backfill.Print("backfill");
                run.Backfill = backfill;
                if (durable.SteadyMinutes > 0)
                {
                    // The cluster at its own rate, a tick every 5 s, with the checkpoints that fall meanwhile.
                    var count = durable.SteadyMinutes * 60 / TickSeconds;
                    var first = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 5000 + 1) * 5000;
                    run.Steady = await new Pusher(cluster, http, options.Concurrency)
                        .RunAsync(facade, Enumerable.Range(0, count).Select(k => first + k * TickSeconds * 1000L), paced: true);
                    run.Steady.Print("steady pushes");
                }
                if (directory is null) return run;
                var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                run.WalBytes = Report.MetricValue(metrics, "kubemonitor_facade_wal_written_bytes_total");
                run.CheckpointsDuringBackfill = CheckpointsWritten(metrics);
                run.BytesAfterBackfill = DirectoryBytes(directory);
                Console.WriteLine($"after backfill: {run.BytesAfterBackfill} bytes on disk, {run.WalBytes} bytes of log written, {run.CheckpointsDuringBackfill} checkpoints; SIGKILL");
            } // Dispose kills it with SIGKILL.

            run.AfterKill = await TimeStartAsync(DurableArguments(directory!, walSync!, RestartCheckpointInterval), "start after SIGKILL", async (facade, http) =>
            {
                await WaitForCheckpointAsync(http);
                run.BytesAfterCheckpoint = DirectoryBytes(directory!);
                Console.WriteLine($"after a checkpoint: {run.BytesAfterCheckpoint} bytes on disk; SIGKILL");
            });
            run.FromCheckpoint = await TimeStartAsync(durableArguments, "start from the checkpoint", (_, _) => Task.CompletedTask);
            run.SteadyKill = await SteadyKillAsync(durableArguments, cluster);
            return run;
        }
        finally
        {
            directory?.Delete(recursive: true);
        }
    }

    private static List<string> DurableArguments(DirectoryInfo directory, string walSync, TimeSpan checkpointInterval) =>
        ["--Facade:DataDirectory", directory.FullName, "--Facade:WalSync", walSync, "--Facade:CheckpointInterval", Span(checkpointInterval)];

    /// <summary>
    /// The longest log a kill leaves in a steady state: a start on the folder with the checkpoint
    /// interval of production, then the cluster pushed at its own rate (a tick every 5 s) until just
    /// before the first checkpoint falls due (its timer starts with the process), SIGKILL, and the
    /// next start timed: the checkpoint and nearly a whole interval of log.
    /// </summary>
    private async Task<Start> SteadyKillAsync(List<string> durableArguments, Cluster cluster)
    {
        var started = Stopwatch.StartNew();
        using (var facade = await StartAsync(durableArguments))
        {
            using var http = Client();
            var room = TimeSpan.FromSeconds(durable.CheckpointSeconds) - started.Elapsed - TimeSpan.FromSeconds(TickSeconds + 2);
            var ticks = Math.Max(1, (int)(room.TotalSeconds / TickSeconds));
            var first = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 5000 + 1) * 5000;
            var live = await new Pusher(cluster, http, options.Concurrency).RunAsync(facade, Enumerable.Range(0, ticks).Select(k => first + k * TickSeconds * 1000L), paced: true);
            live.Print("steady pushes");
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Console.WriteLine(CheckpointsWritten(metrics) > 0
                ? "a checkpoint fell in the steady pushes: the log is shorter than an interval; SIGKILL"
                : $"{started.Elapsed.TotalSeconds:F0} s after the start, no checkpoint yet; SIGKILL");
        } // Dispose kills it with SIGKILL.
        return await TimeStartAsync(durableArguments, "start after SIGKILL in a steady state", (_, _) => Task.CompletedTask);
    }

    /// <summary>Starts a facade on the data directory as it is, times it to ready, runs <paramref name="then"/>, and kills it.</summary>
    private async Task<Start> TimeStartAsync(List<string> arguments, string what, Func<FacadeProcess, HttpClient, Task> then)
    {
        var watch = Stopwatch.StartNew();
        using var facade = await StartAsync(arguments);
        var ready = watch.Elapsed;
        using var http = Client();
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var start = new Start(ready, Report.MetricValue(metrics, "kubemonitor_facade_data_replay_duration_seconds"), await LoadedLineAsync());
        Console.WriteLine($"{what}: ready in {start.Ready.TotalSeconds:F1} s (the facade's replay metric {start.ReplaySeconds:F1} s); {start.Loaded}");
        await then(facade, http);
        return start;
    }

    private Task<FacadeProcess> StartAsync(List<string> durableArguments)
    {
        List<string> arguments =
        [
            "--urls", _baseAddress.ToString().TrimEnd('/'),
            // As the default mode: nothing goes stale while history is pushed and the restarts read.
            "--Facade:Staleness", "00:30:00", "--Facade:MaxFutureSkew", "00:01:00", "--Facade:MaxSeries", "10000000",
            .. durableArguments, .. options.FacadeArguments,
        ];
        return FacadeProcess.StartAsync(options.FacadeDll, arguments, options.Environment, LogPath, _baseAddress, ReadyTimeout);
    }

    private HttpClient Client() =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = _baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };

    private static async Task WaitForCheckpointAsync(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            if (CheckpointsWritten(metrics) >= 1) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"No checkpoint written in {ReadyTimeout.TotalMinutes:F0} min; see {LogPath}.");
    }

    /// <summary>Checkpoints written so far; the labelled series appears with the first.</summary>
    private static double CheckpointsWritten(string metrics) =>
        Report.MetricValue(metrics, "kubemonitor_facade_checkpoints_total{result=\"written\"}") is var written && double.IsNaN(written) ? 0 : written;

    /// <summary>The facade's "Loaded the stored window ..." line: its output reaches the log file a moment after it is written.</summary>
    private static async Task<string> LoadedLineAsync()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using (var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                var text = await reader.ReadToEndAsync();
                var match = LoadedPattern().Match(text);
                if (match.Success) return match.Value;
            }
            await Task.Delay(100);
        }
        return $"(no \"Loaded the stored window\" line in {LogPath})";
    }

    /// <summary>The file system holding <paramref name="path"/> (the longest mount point above it): fsync on tmpfs costs nothing.</summary>
    private static string FileSystemOf(string path) => File.ReadLines("/proc/mounts")
        .Select(line => line.Split(' '))
        .Where(fields => path.StartsWith(fields[1].TrimEnd('/') + "/", StringComparison.Ordinal) || path == fields[1])
        .MaxBy(fields => fields[1].Length) is { } mount ? $"{mount[2]} on {mount[0]}" : "unknown file system";

    /// <summary>Sizes of the files in the data directory; a checkpoint being written (checkpoint.tmp) is not counted.</summary>
    private static long DirectoryBytes(DirectoryInfo directory) =>
        directory.EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.Name != "checkpoint.tmp").Sum(f => f.Length);

    private static string Span(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);

    private static string Table(List<Run> runs, int steadyMinutes)
    {
        var baseline = runs[0].Backfill!;
        var baselineUs = baseline.FacadeCpu.TotalMicroseconds / Math.Max(1, baseline.Stored);
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"| | {string.Join(" | ", runs.Select(r => r.Label))} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(runs.Select(_ => "---|"))}");
        Row("samples stored in the backfill", r => r.Backfill!.Stored.ToString(CultureInfo.InvariantCulture));
        Row("backfill wall time", r => $"{r.Backfill!.Wall.TotalSeconds:F1} s");
        Row("facade CPU per sample", r => $"{PerSampleUs(r):F2} us");
        Row("data directory share of ingest CPU (goal < 20 %)", r => r.WalBytes is null ? "" : $"{(PerSampleUs(r) - baselineUs) / PerSampleUs(r):P0}");
        if (runs[0].Steady is { } steadyBaseline)
        {
            var steadyBaselineUs = PerSample(steadyBaseline);
            Row($"steady pushes ({steadyMinutes} min at the cluster's rate): facade CPU per sample", r => $"{PerSample(r.Steady!):F2} us ({r.Steady!.FacadeCpu.TotalSeconds / r.Steady.Wall.TotalSeconds:P0} of a core)");
            Row("data directory share of ingest CPU, steady (goal < 20 %)", r => r.WalBytes is null ? "" : $"{(PerSample(r.Steady!) - steadyBaselineUs) / PerSample(r.Steady!):P0}");
        }
        Row("push latency p50 / p99", r => { var l = r.Backfill!.SortedLatencies(); return $"{Report.Percentile(l, 0.5):F1} / {Report.Percentile(l, 0.99):F1} ms"; });
        Row("checkpoints during the backfill", r => r.CheckpointsDuringBackfill?.ToString(CultureInfo.InvariantCulture) ?? "");
        // The log and the folder are measured after the steady pushes too: per sample of both.
        static double Pushed(Run r) => r.Backfill!.Stored + (r.Steady?.Stored ?? 0);
        Row("log bytes written per sample", r => r.WalBytes is { } b ? $"{b / Pushed(r):F2} B" : "");
        Row("disk per sample after the backfill (and steady pushes)", r => r.WalBytes is null ? "" : $"{r.BytesAfterBackfill / Pushed(r):F2} B ({r.BytesAfterBackfill / 1048576.0:F1} MiB)");
        Row("disk per sample after a checkpoint", r => r.WalBytes is null ? "" : $"{r.BytesAfterCheckpoint / Pushed(r):F2} B ({r.BytesAfterCheckpoint / 1048576.0:F1} MiB)");
        Row("start to ready after SIGKILL (goal < 30 s)", r => r.AfterKill is { } s ? $"{s.Ready.TotalSeconds:F1} s (replay {s.ReplaySeconds:F1} s)" : "");
        Row("what that start loaded", r => r.AfterKill is { } s ? Loaded(s.Loaded) : "");
        Row("start to ready from the checkpoint", r => r.FromCheckpoint is { } s ? $"{s.Ready.TotalSeconds:F1} s (replay {s.ReplaySeconds:F1} s)" : "");
        Row("start to ready after SIGKILL at the end of a checkpoint interval of steady pushes (goal < 30 s)", r => r.SteadyKill is { } s ? $"{s.Ready.TotalSeconds:F1} s (replay {s.ReplaySeconds:F1} s)" : "");
        Row("what that start loaded", r => r.SteadyKill is { } s ? Loaded(s.Loaded) : "");
        return table.ToString();

        void Row(string name, Func<Run, string> cell) => table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {string.Join(" | ", runs.Select(cell))} |");
        static double PerSampleUs(Run r) => PerSample(r.Backfill!);
        static double PerSample(PushStats stats) => stats.FacadeCpu.TotalMicroseconds / Math.Max(1, stats.Stored);
    }

    /// <summary>The loaded line in short: "N pods from the checkpoint, M pushes (S samples) from the log".</summary>
    private static string Loaded(string line)
    {
        var match = LoadedPattern().Match(line);
        return match.Success
            ? $"{match.Groups["pods"].Value} pods from {(match.Groups["checkpoint"].Value == "no checkpoint" ? "no checkpoint" : "the checkpoint")}, {match.Groups["records"].Value} pushes ({match.Groups["samples"].Value} samples) from the log"
            : line;
    }

    [GeneratedRegex(@"Loaded the stored window from \S+ in [0-9.]+ s: (?<nodes>\d+) nodes and (?<pods>\d+) pods from (?<checkpoint>no checkpoint|\S+), then (?<records>\d+) pushes \((?<samples>\d+) samples\) from (?<segments>\d+) log segments")]
    private static partial Regex LoadedPattern();

    private sealed record Start(TimeSpan Ready, double ReplaySeconds, string Loaded);

    private sealed class Run(string label)
    {
        public string Label { get; } = label;
        public PushStats? Backfill { get; set; }
        public PushStats? Steady { get; set; }
        public double? WalBytes { get; set; }
        public double? CheckpointsDuringBackfill { get; set; }
        public long BytesAfterBackfill { get; set; }
        public long BytesAfterCheckpoint { get; set; }
        public Start? AfterKill { get; set; }
        public Start? FromCheckpoint { get; set; }
        public Start? SteadyKill { get; set; }
    }
}
