using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>
/// GET /api/pods/{pod} without ?namespace= finds pods by name: a name held by one pod, then by
/// several namespaces, then by fewer again as the sweep frees them.
/// </summary>
public sealed class PodsByNameTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-02T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly InMemoryMetricsStore _store;

    public PodsByNameTests() =>
        _store = new InMemoryMetricsStore(Options.Create(new FacadeOptions { Staleness = TimeSpan.FromMinutes(5), Retention = TimeSpan.FromHours(1) }), _clock);

    [Fact]
    public void A_name_finds_its_pods_as_namespaces_take_it_and_give_it_up()
    {
        Push("team-a", "web-0");
        Assert.Equal(["team-a"], Namespaces("web-0"));

        Push("team-c", "web-0");
        Push("team-b", "web-0");
        Push("team-a", "db-0");
        Assert.Equal(["team-a", "team-b", "team-c"], Namespaces("web-0"));
        Assert.Equal(["team-a"], Namespaces("db-0"));

        // Only team-b's web-0 and db-0 keep pushing; the others go stale and are freed.
        _clock.Advance(TimeSpan.FromMinutes(4));
        Push("team-b", "web-0");
        Push("team-a", "db-0");
        _clock.Advance(TimeSpan.FromMinutes(2));
        _store.Sweep();
        Assert.Equal(["team-b"], Namespaces("web-0"));
        Assert.Equal(["team-a"], Namespaces("db-0"));

        Push("team-d", "web-0");
        Assert.Equal(["team-b", "team-d"], Namespaces("web-0"));

        _clock.Advance(TimeSpan.FromMinutes(10));
        _store.Sweep();
        Assert.Empty(Namespaces("web-0"));
        Assert.Empty(Namespaces("db-0"));

        // A name freed by all can be taken again.
        Push("team-e", "web-0");
        Assert.Equal(["team-e"], Namespaces("web-0"));
    }

    private void Push(string ns, string name)
    {
        var nowMs = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var pod = new PodEntry(ns, name, "node-1", null, null, null, null, nowMs, new double[PodFields.Count], []);
        Assert.Equal(1, _store.Store(new IngestBatch(null, [pod])).Stored);
    }

    private List<string> Namespaces(string name) => [.. _store.Directory.Matching(new PodSelector(Name: name)).Select(p => p.Key.Namespace)];
}
