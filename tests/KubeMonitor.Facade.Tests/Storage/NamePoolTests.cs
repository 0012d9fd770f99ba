using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

public class NamePoolTests
{
    [Fact]
    public void Equal_names_read_apart_come_back_as_one_string()
    {
        var first = NamePool.Share(Copy("name-pool-test-namespace"));
        var second = NamePool.Share(Copy("name-pool-test-namespace"));
        Assert.Same(first, second);
        Assert.Null(NamePool.ShareOrNull(null));
    }

    [Fact]
    public void Pods_share_the_names_they_have_in_common_but_not_their_own()
    {
        PodIdentity Identity(string pod) => NamePool.Shared(new PodIdentity(Copy("name-pool-ns"), Copy(pod), Copy("name-pool-node"), Copy("uid-" + pod),
            Copy("ReplicaSet"), Copy("name-pool-app-5d4f8"), Copy("name-pool-app")));
        var a = Identity("pod-a");
        var b = Identity("pod-b");
        Assert.Same(a.Namespace, b.Namespace);
        Assert.Same(a.Node, b.Node);
        Assert.Same(a.OwnerKind, b.OwnerKind);
        Assert.Same(a.OwnerName, b.OwnerName);
        Assert.Same(a.Deployment, b.Deployment);
        Assert.Equal(new PodIdentity("name-pool-ns", "pod-a", "name-pool-node", "uid-pod-a", "ReplicaSet", "name-pool-app-5d4f8", "name-pool-app"), a);
    }

    private static string Copy(string text) => new(text.AsSpan()); // a string of its own, as each push reads one
}
