using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>
/// A pod's containers as places in its rows (<see cref="PodRowLayout"/>): containers that come
/// later, go stale, give their place to another, or miss some samples read back exactly what was
/// pushed for them, from the pod and from its checkpoint image.
/// </summary>
public class PodRowsTests
{
    private const long Start = 1_700_000_000_000;
    private const long Tick = 5_000;
    private readonly PodEntity _pod = new(new PodKey("shop", "web-1"), Start);
    // What was pushed: per time, the pod's values and each container's.
    private readonly List<(long Time, double[] Pod, Dictionary<string, double[]> Containers)> _pushed = [];

    [Fact]
    public void A_container_that_comes_after_the_pods_first_sample_has_its_rows_from_then_on_and_the_pods_rows_stay()
    {
        Push(0, 100, "app");
        Push(100, 150, "app", "sidecar"); // the rows are made one place wider on the way
        AssertReadsAsPushed(_pod);
        Assert.Equal(2, _pod.ContainerCount);
        var rows = _pod.Rows(long.MinValue, long.MinValue, long.MaxValue)!;
        Assert.Equal(150, rows.Rows.Timestamps.Length);
        Assert.Equal(50, rows.Containers.Single(c => c.Name == "sidecar").Rows.Timestamps.Length);
        Assert.Equal(["app", "sidecar"], _pod.Latest(long.MinValue)!.Containers.Select(c => c.Name));
    }

    [Fact]
    public void A_stale_containers_place_goes_to_the_next_container_which_sees_none_of_its_rows()
    {
        Push(0, 20, "app", "job");
        Push(20, 40, "app");
        // "job" last pushed at row 19: stale from row 30 on.
        Assert.Equal(1, _pod.RetireStale(Time(30), out var podRetired));
        Assert.False(podRetired);
        Assert.False(_pod.HasContainer("job"));
        Forget("job");
        Push(40, 60, "app", "next");
        Assert.Equal(2, _pod.Image().Places.Count); // "next" took the free place: the rows are no wider
        AssertReadsAsPushed(_pod);
        // The same name again is a new container too: none of the old rows are its.
        Push(60, 70, "app");
        Assert.Equal(1, _pod.RetireStale(Time(65), out _));
        Forget("next");
        Push(70, 80, "app", "job");
        Assert.Equal(2, _pod.Image().Places.Count);
        AssertReadsAsPushed(_pod);
    }

    [Fact]
    public void A_container_missing_from_some_samples_reads_only_its_own_and_its_rates_start_from_its_row_before()
    {
        Push(0, 30, "app", "worker");
        Push(30, 200, "app"); // past the first chunk: the row before a later window is chunks back
        Push(200, 202, "app", "worker");
        AssertReadsAsPushed(_pod);
        var worker = _pod.Rows(long.MinValue, Time(100), long.MaxValue)!.Containers.Single(c => c.Name == "worker").Rows;
        Assert.Equal([Time(29), Time(200), Time(201)], worker.Timestamps);
        var latest = _pod.Latest(long.MinValue)!.Containers.Single(c => c.Name == "worker").Rows;
        Assert.Equal((Time(201), Time(200)), (latest.TimestampMs, latest.PreviousMs));
        // Back after one sample without it: its rate is from its own row before, not the pod's.
        Push(202, 203, "app");
        Push(203, 204, "app", "worker");
        latest = _pod.Latest(long.MinValue)!.Containers.Single(c => c.Name == "worker").Rows;
        Assert.Equal((Time(203), Time(201)), (latest.TimestampMs, latest.PreviousMs));
        Assert.Equal(ContainerValues(201, "worker"), latest.Previous);
    }

    [Fact]
    public void A_pod_whose_containers_keep_coming_grows_its_rows_by_half_at_a_time()
    {
        var names = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            names.Add($"c{i:00}");
            Push(i, i + 1, [.. names]);
        }
        AssertReadsAsPushed(_pod);
        // 1, 2, 3, 4, 6, 9, 13, 19, 28, 42 places: stored again 9 times for 40 containers, not 39.
        Assert.Equal(42, _pod.Image().Places.Count);
        Assert.Equal(40, _pod.ContainerCount);
    }

    [Fact]
    public void A_checkpoint_image_makes_the_same_pod_with_its_free_places()
    {
        Push(0, 10, "app", "job");
        Push(10, 100, "app", "sidecar");
        _pod.RetireStale(Time(50), out _);
        Forget("job");
        var image = _pod.Image();
        Assert.Equal(["app", null, "sidecar"], image.Places.Select(p => p.Name));
        var restored = PodEntity.FromImage(image, Start);
        AssertReadsAsPushed(restored);
        // It goes on as the pod did: the next container takes the free place.
        restored.EnsureContainer("next", Time(100));
        Assert.Equal(["app", "next", "sidecar"], restored.Image().Places.Select(p => p.Name));
    }

    private void Push(int from, int to, params string[] containers)
    {
        for (var i = from; i < to; i++)
        {
            foreach (var name in containers) _pod.EnsureContainer(name, Time(i));
            var entry = new PodEntry("shop", "web-1", "node-1", "uid-1", null, null, null, Time(i), PodValues(i),
                [.. containers.Select(name => new ContainerEntry(name, ContainerValues(i, name)))]);
            Assert.Equal(AppendResult.Stored, _pod.Append(entry, long.MinValue));
            _pushed.Add((Time(i), PodValues(i), containers.ToDictionary(name => name, name => ContainerValues(i, name))));
        }
    }

    /// <summary>A container gone stale is not read any more; its rows are forgotten by the model too.</summary>
    private void Forget(string name)
    {
        foreach (var (_, _, containers) in _pushed) containers.Remove(name);
    }

    private void AssertReadsAsPushed(PodEntity pod)
    {
        var rows = pod.Rows(long.MinValue, long.MinValue, long.MaxValue)!;
        Assert.Equal(_pushed.Select(p => p.Time), rows.Rows.Timestamps);
        Assert.Equal(Bits(_pushed.SelectMany(p => p.Pod)), Bits(rows.Rows.Values));
        var names = _pushed.SelectMany(p => p.Containers.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(names, rows.Containers.Select(c => c.Name));
        foreach (var container in rows.Containers)
        {
            var expected = _pushed.Where(p => p.Containers.ContainsKey(container.Name)).ToList();
            Assert.Equal(expected.Select(p => p.Time), container.Rows.Timestamps);
            Assert.Equal(Bits(expected.SelectMany(p => p.Containers[container.Name])), Bits(container.Rows.Values));
        }
    }

    private static long Time(int i) => Start + i * Tick;

    // CPU counters that grow, memory that moves, the rest steady: as pods are pushed.
    private static double[] PodValues(int i)
    {
        var values = PodFields.Table.EmptyRow();
        values[0] = 1000 + i * 0.37;
        values[1] = 4096.0 * (50_000 + i % 7);
        values[2] = values[1] + 4096.0 * 300;
        values[7] = 0.5;
        return values;
    }

    private static double[] ContainerValues(int i, string name)
    {
        var values = ContainerFields.Table.EmptyRow();
        values[0] = name.Length * 10 + i * 0.11;
        values[1] = 4096.0 * (10_000 + i % 5 + name.Length);
        values[2] = 0.25;
        return values;
    }

    private static long[] Bits(IEnumerable<double> values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];
}
