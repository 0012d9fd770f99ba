using k8s.Models;
using KubeMonitor.Exporter.Kubernetes;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

public sealed class WatchEventTests
{
    [Fact]
    public void Parses_each_event_type_of_a_pod_watch()
    {
        var pod = FakeKubeApi.Pod(FakeKubeApi.FixturePodList(), "e2e-statefulset-0");

        var added = WatchEvent.Parse<V1Pod>(FakeKubeApi.Event("ADDED", pod, "101"));
        var modified = WatchEvent.Parse<V1Pod>(FakeKubeApi.Event("MODIFIED", pod, "102"));
        var deleted = WatchEvent.Parse<V1Pod>(FakeKubeApi.Event("DELETED", pod, "103"));
        var bookmark = WatchEvent.Parse<V1Pod>(FakeKubeApi.Bookmark("104"));

        Assert.Equal((WatchEventType.Added, "e2e-statefulset-0", "101"), (added.Type, added.Item!.Metadata.Name, added.Item.Metadata.ResourceVersion));
        Assert.Equal(WatchEventType.Modified, modified.Type);
        Assert.Equal(WatchEventType.Deleted, deleted.Type);
        Assert.Equal((WatchEventType.Bookmark, "104"), (bookmark.Type, bookmark.Item!.Metadata.ResourceVersion));
    }

    [Fact]
    public void Parses_an_error_event_as_a_status()
    {
        var gone = WatchEvent.Parse<V1Pod>(FakeKubeApi.Gone());

        Assert.Equal(WatchEventType.Error, gone.Type);
        Assert.Null(gone.Item);
        Assert.Equal((410, "Expired"), (gone.Status!.Code, gone.Status.Reason));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("{\"object\":{}}")]
    [InlineData("{\"type\":\"ADDED\"}")]
    [InlineData("{\"type\":\"SOMETHING\",\"object\":{}}")]
    [InlineData("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":1}}}")]
    [InlineData("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"truncated")]
    public void Broken_lines_are_a_format_error(string line) =>
        Assert.Throws<FormatException>(() => WatchEvent.Parse<V1Pod>(line));
}
