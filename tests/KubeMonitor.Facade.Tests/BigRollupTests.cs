using System.Text.Json.Nodes;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// A namespace and a deployment big enough to be summed in parallel parts (the embedded store) or
/// read in many chunks (Prometheus) give the exact sums.
/// </summary>
public abstract class BigRollupTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    private const int Pods = StoredSamples.ParallelRollupPods + 101;
    // All pods on one node: more than one node's default quota of series.
    private readonly FacadeFactory _facade = newFacade(new() { ["Facade:MaxSeriesPerNode"] = "100000" });

    public void Dispose()
    {
        _facade.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Rollup_over_many_pods_has_exact_sums_per_step()
    {
        // Pod i: CPU counter rising by i seconds per 10 s tick (0.1 * i cores), working set i; pods
        // of "big" alternate between deployments "even" and "odd". Integer values add exactly in
        // any order, so the parallel parts must give these sums to the last bit.
        for (var tick = 0; tick < 3; tick++)
        {
            double t = tick * 10;
            _facade.SetTime(t);
            var pods = Enumerable.Range(0, Pods).Select(i => Bodies.Pod(
                t, "big", cpu: tick * i, workingSet: i, usage: 2 * i, name: $"pod-{i:D5}", deployment: i % 2 == 0 ? "even" : "odd"));
            await _facade.PushAsync("/api/nodes/node-1/batch", new { timestamp = FacadeFactory.At(t), pods = pods.ToArray() });
        }
        _facade.SetTime(25);

        var series = await _facade.GetJsonAsync("/api/namespaces/big?window=25&step=10");
        var points = series["points"]!.AsArray();
        Assert.Equal(["2026-11-26T07:00:00Z", "2026-11-26T07:00:10Z", "2026-11-26T07:00:20Z"], points.Select(p => (string?)p!["timestamp"]));
        var sumOfIndexes = (double)Pods * (Pods - 1) / 2;
        Assert.Equal([sumOfIndexes, sumOfIndexes, sumOfIndexes], points.Select(p => (double)p!["memory"]!["workingSetBytes"]!));
        Assert.Equal([2 * sumOfIndexes, 2 * sumOfIndexes, 2 * sumOfIndexes], points.Select(p => (double)p!["memory"]!["usageBytes"]!));
        Assert.Null(points[0]!["cpu"]!["usageCores"]); // the first sample of every pod: no rate
        Assert.Equal(sumOfIndexes / 10, (double)points[1]!["cpu"]!["usageCores"]!, 9);
        Assert.Equal(sumOfIndexes / 10, (double)points[2]!["cpu"]!["usageCores"]!, 9);

        var even = await _facade.GetJsonAsync("/api/namespaces/big/deployments/even?window=25&step=10");
        var evenSum = Enumerable.Range(0, Pods).Where(i => i % 2 == 0).Sum(i => (double)i);
        Assert.All(even["points"]!.AsArray(), p => Assert.Equal(evenSum, (double)p!["memory"]!["workingSetBytes"]!));
        Assert.Equal(Pods / 2 + 1, (int)(await _facade.GetJsonAsync("/api/namespaces/big/deployments/even"))["podCount"]!);
    }
}

public sealed class BigRollupOnMemoryTests() : BigRollupTests(settings => new FacadeFactory(settings));

public sealed class BigRollupOnPrometheusTests() : BigRollupTests(settings => new PrometheusFacadeFactory(settings));
