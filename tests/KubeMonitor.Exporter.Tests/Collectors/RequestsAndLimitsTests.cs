using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Tests.Collectors;

public sealed class RequestsAndLimitsTests
{
    [Fact]
    public void A_pods_values_are_the_sums_over_its_containers()
    {
        var sum = RequestsAndLimits.SumOf([new(0.25, 0.5, 100, 200), new(0.1, 1, 50, 60)]);

        Assert.Equal(new RequestsAndLimits(0.35, 1.5, 150, 260), sum);
    }

    [Fact]
    public void A_value_one_container_lacks_is_absent_for_the_pod_not_a_partial_sum()
    {
        // The sidecar has no CPU limit, so nothing caps the pod's CPU; and no memory request.
        var sum = RequestsAndLimits.SumOf([new(0.25, 0.5, 100, 200), new(0.1, null, null, 60)]);

        Assert.Equal(new RequestsAndLimits(0.35, null, null, 260), sum);
    }

    [Fact]
    public void A_pod_without_containers_has_no_values()
    {
        Assert.Equal(RequestsAndLimits.None, RequestsAndLimits.SumOf([]));
        Assert.True(RequestsAndLimits.SumOf([RequestsAndLimits.None]).IsEmpty);
        Assert.False(new RequestsAndLimits(0, null, null, null).IsEmpty); // 0 is a value
    }
}
