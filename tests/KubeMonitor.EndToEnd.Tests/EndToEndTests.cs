using System.Diagnostics;
using System.Text.Json.Nodes;
using KubeMonitor.EndToEnd.Tests.Support;
using KubeMonitor.TestSupport;
using Xunit.Abstractions;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

/// <summary>
/// The original report's checks, automated against the shipped exporter and facade on this
/// machine's kernel (issue 4). One environment serves every test (see
/// <see cref="EndToEndEnvironment"/>); each test makes its own load and asserts only on samples
/// taken during it. The parts live in files by subject.
/// </summary>
[Collection(RealLoad.Name)]
public sealed partial class EndToEndTests(EndToEndEnvironment env, ITestOutputHelper output) : IClassFixture<EndToEndEnvironment>
{
    /// <summary>The measured numbers, in the test's output (dotnet test --logger "console;verbosity=detailed").</summary>
    private void Measured(FormattableString line) => output.WriteLine(FormattableString.Invariant(line));

    /// <summary>Waits for the process, killing it if it outlives <paramref name="timeout"/>.</summary>
    private static async Task WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Process {process.Id} did not end within {timeout.TotalSeconds:0} s.");
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // ended meanwhile
        }
    }

    /// <summary>Waits until the facade holds a sample of <paramref name="pod"/> taken at or after <paramref name="time"/>.</summary>
    private Task<JsonNode> PodSampleAtOrAfter(TestPod pod, DateTime time) => env.PodAfterAsync(pod, time.AddTicks(-1));

    /// <summary>
    /// Samples of one collection: each pod is stamped when it is read, a few milliseconds apart,
    /// while collections are an interval apart.
    /// </summary>
    private static bool SameCollection(DateTime a, DateTime b) => (a - b).Duration() < Interval / 2;

    private static IEnumerable<JsonNode> Points(JsonNode series) => series["points"]!.AsArray().Select(point => point!);

    /// <summary>
    /// The time-weighted mean of a rate field over the points taken in (from, to]: each point's
    /// rate covers the time since the previous point (<paramref name="from"/> for the first one).
    /// </summary>
    private static double MeanRate(JsonNode series, string section, string field, DateTime from, DateTime to) =>
        MeanRate(series, point => Number(point, section, field), $"{section}.{field}", from, to);

    /// <summary>As above, of the value <paramref name="read"/> takes from each point (named <paramref name="what"/> in errors).</summary>
    private static double MeanRate(JsonNode series, Func<JsonNode, double?> read, string what, DateTime from, DateTime to)
    {
        double weighted = 0, seconds = 0;
        var previous = from;
        foreach (var point in Points(series).Where(p => Timestamp(p) > from && Timestamp(p) <= to))
        {
            var value = read(point) ?? throw new InvalidOperationException($"{what} is null at {Timestamp(point):O}: {point.ToJsonString()}");
            var dt = (Timestamp(point) - previous).TotalSeconds;
            weighted += value * dt;
            seconds += dt;
            previous = Timestamp(point);
        }
        Assert.True(seconds > 0, $"No points in ({from:O}, {to:O}]");
        return weighted / seconds;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record AggregateRead(IReadOnlyList<JsonNode> Pods, JsonNode Aggregate);

    /// <summary>
    /// An aggregate view (namespace or deployment) and its pods' views read from the same newest
    /// samples: no pod had a newer sample after the aggregate was read than before it.
    /// </summary>
    private Task<AggregateRead> AggregateWithItsPodsAsync(string path, params TestPod[] pods) =>
        Eventually.Until(async () =>
        {
            var before = await Task.WhenAll(pods.Select(pod => env.PodAsync(pod)));
            var aggregate = await env.GetAsync(path);
            var after = await Task.WhenAll(pods.Select(pod => env.PodAsync(pod)));
            var sameSamples = before.Zip(after).All(pair => Timestamp(pair.First) == Timestamp(pair.Second));
            return sameSamples ? new AggregateRead(after, aggregate) : null;
        }, TimeSpan.FromSeconds(20), $"a read of {path} between two collections", () => env.Diagnostics);
}
