namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>
/// A facade as shipped with a data folder of its own (<c>Facade:DataDirectory</c>) on a port of
/// its own: one replica of the persistent overlay's StatefulSet. A kill (SIGKILL) and a start
/// again keep both, as a restarted pod keeps its claim and its address behind the headless Service.
/// Dispose ends it and removes the folder.
/// </summary>
internal sealed class DurableFacade(string name, HttpClient http) : IDisposable
{
    /// <summary>Short, so a few seconds of pushes are loaded from a checkpoint and the log after it alike.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(3);

    private readonly string _directory = Directory.CreateTempSubdirectory("kme2e-data-").FullName;
    private ChildProcess? _process;

    public Uri Url { get; } = new($"http://127.0.0.1:{EndToEndEnvironment.FreePort()}");

    public string Output => _process?.Output ?? $"--- {name}: not started ---";

    /// <summary>Starts it (again) and waits until it is ready: its stored window is loaded.</summary>
    public async Task StartAsync()
    {
        _process?.Dispose();
        _process = ChildProcess.StartDotnet(name, Shipped.FacadeDll,
        [
            "--urls", Url.ToString().TrimEnd('/'),
            "--Facade:DataDirectory", _directory,
            "--Facade:CheckpointInterval", CheckpointInterval.ToString(),
        ]);
        await Eventually.Until(async () => (await http.GetAsync(new Uri(Url, "/readyz"))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), $"{name} to be ready", () => Output);
    }

    /// <summary>SIGKILL: no checkpoint at stop, what it holds is in its log and last checkpoint only.</summary>
    public void Kill() => _process?.Kill();

    public void Dispose()
    {
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
