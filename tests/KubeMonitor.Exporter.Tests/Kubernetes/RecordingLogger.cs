using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>Keeps every log line so tests can check what the watcher said.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => _entries.ToArray();

    public int Count(string fragment, LogLevel? level = null) =>
        Entries.Count(entry => entry.Message.Contains(fragment, StringComparison.Ordinal) && (level is null || entry.Level == level));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception)));

    public override string ToString() => string.Join("\n", Entries.Select(entry => $"{entry.Level}: {entry.Message}"));
}

internal static class Eventually
{
    /// <summary>
    /// Polls <paramref name="condition"/> until it holds or <paramref name="within"/> (default 20 s)
    /// is over. The bound only stops a broken test; nothing is asserted about how long it took.
    /// </summary>
    public static async Task Until(Func<bool> condition, string what, Func<string>? context = null, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for: {what}\n{context?.Invoke()}");
            await Task.Delay(10);
        }
    }
}
