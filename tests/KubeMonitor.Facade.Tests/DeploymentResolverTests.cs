using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Kubernetes;

namespace KubeMonitor.Facade.Tests;

public sealed class DeploymentResolverTests
{
    private sealed class KnownOwners(Dictionary<string, string?> owners) : IReplicaSetOwnerResolver
    {
        public bool TryGetDeployment(string podNamespace, string replicaSetName, out string? deployment) =>
            owners.TryGetValue($"{podNamespace}/{replicaSetName}", out deployment);
    }

    [Theory]
    [InlineData("sent", "ReplicaSet", "web-7c9f8d6b5", "sent")]           // the sample's deployment wins
    [InlineData(null, "ReplicaSet", "web-7c9f8d6b5", "web")]
    [InlineData(null, "ReplicaSet", "my-web-app-7c9f8d6b5", "my-web-app")] // up to the LAST '-'
    [InlineData(null, "ReplicaSet", "nodash", null)]
    [InlineData(null, "ReplicaSet", "-abc", null)]
    [InlineData(null, "StatefulSet", "web-7c9f8d6b5", null)]
    [InlineData(null, "Job", "backup-28912345", null)]
    [InlineData(null, "DaemonSet", "kube-proxy", null)]
    [InlineData(null, null, null, null)]
    public void Name_rule(string? sent, string? ownerKind, string? ownerName, string? expected) =>
        Assert.Equal(expected, new DeploymentResolver(new KnownOwners([])).Resolve("ns", sent, ownerKind, ownerName));

    [Fact]
    public void A_known_replicaset_owner_beats_the_name_rule()
    {
        var resolver = new DeploymentResolver(new KnownOwners(new() { ["ns/web-7c9f8d6b5"] = "frontend", ["ns/orphan-abc"] = null }));
        Assert.Equal("frontend", resolver.Resolve("ns", null, "ReplicaSet", "web-7c9f8d6b5"));
        Assert.Null(resolver.Resolve("ns", null, "ReplicaSet", "orphan-abc")); // known, owned by no Deployment
        Assert.Equal("web", resolver.Resolve("other", null, "ReplicaSet", "web-7c9f8d6b5"));
    }

    [Fact]
    public void Names_follow_dns_1123()
    {
        Assert.True(Common.KubernetesNames.IsSubdomain("a.b-c.d1"));
        Assert.True(Common.KubernetesNames.IsSubdomain(new string('a', 63) + "." + new string('b', 63)));
        Assert.False(Common.KubernetesNames.IsSubdomain("a..b"));
        Assert.False(Common.KubernetesNames.IsSubdomain("a-.b"));
        Assert.False(Common.KubernetesNames.IsSubdomain(new string('a', 254)));
        Assert.True(Common.KubernetesNames.IsLabel(new string('a', 63)));
        Assert.False(Common.KubernetesNames.IsLabel(new string('a', 64)));
        Assert.False(Common.KubernetesNames.IsLabel("a.b"));
        Assert.False(Common.KubernetesNames.IsLabel("Ab"));
    }
}
