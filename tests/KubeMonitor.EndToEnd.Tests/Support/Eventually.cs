using System.Diagnostics;

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>Bounded waits on a condition (never a bare sleep where a condition can be checked).</summary>
internal static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T?>> attempt, TimeSpan timeout, string what, Func<string>? diagnostics = null)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await attempt() is { } value) return value;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or KeyNotFoundException or NullReferenceException)
            {
                last = e;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}. Last error: {last?.Message ?? "none"}\n{diagnostics?.Invoke()}");
    }

    public static Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        Until<object>(async () => await condition() ? new object() : null, timeout, what, diagnostics);
}
