using KubeMonitor.Exporter.Kubernetes;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

public sealed class ExponentialBackoffTests
{
    [Fact]
    public void Ceiling_doubles_from_one_second_and_stops_at_thirty()
    {
        var backoff = ExponentialBackoff.Default();

        var ceilings = Enumerable.Range(1, 8).Select(n => backoff.Ceiling(n).TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], ceilings);
        Assert.Equal(30, backoff.Ceiling(int.MaxValue).TotalSeconds);
    }

    [Fact]
    public void Delay_is_jittered_between_half_and_all_of_the_ceiling()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(12345));

        for (var failures = 1; failures <= 10; failures++)
        {
            var ceiling = backoff.Ceiling(failures);
            var delays = Enumerable.Range(0, 200).Select(_ => backoff.Delay(failures)).ToList();
            Assert.All(delays, delay => Assert.InRange(delay, ceiling / 2, ceiling));
            // Jitter: not every node waits the same time.
            Assert.True(delays.Distinct().Count() > 100);
        }
    }

    [Fact]
    public void Zero_failures_is_not_a_backoff() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExponentialBackoff.Default().Ceiling(0));
}
