using KubeMonitor.Exporter.Kubernetes;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

public sealed class PodWatchEventTests
{
    [Fact]
    public void Parses_each_event_type_of_a_pod_watch()
    {
        var pod = FakeKubeApi.Pod(FakeKubeApi.FixturePodList(), "e2e-statefulset-0");

        var added = PodWatchEvent.Parse(FakeKubeApi.Event("ADDED", pod, "101"));
        var modified = PodWatchEvent.Parse(FakeKubeApi.Event("MODIFIED", pod, "102"));
        var deleted = PodWatchEvent.Parse(FakeKubeApi.Event("DELETED", pod, "103"));
        var bookmark = PodWatchEvent.Parse(FakeKubeApi.Bookmark("104"));

        Assert.Equal((WatchEventType.Added, "e2e-statefulset-0", "101"), (added.Type, added.Pod!.Metadata.Name, added.Pod.Metadata.ResourceVersion));
        Assert.Equal(WatchEventType.Modified, modified.Type);
        Assert.Equal(WatchEventType.Deleted, deleted.Type);
        Assert.Equal((WatchEventType.Bookmark, "104"), (bookmark.Type, bookmark.Pod!.Metadata.ResourceVersion));
    }

    [Fact]
    public void Parses_an_error_event_as_a_status()
    {
        var gone = PodWatchEvent.Parse(FakeKubeApi.Gone());

        Assert.Equal(WatchEventType.Error, gone.Type);
        Assert.Null(gone.Pod);
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
        Assert.Throws<FormatException>(() => PodWatchEvent.Parse(line));
}
