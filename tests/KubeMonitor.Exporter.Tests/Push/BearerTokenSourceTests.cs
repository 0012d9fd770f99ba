using KubeMonitor.Exporter.Push;
using KubeMonitor.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Exporter.Tests.Push;

public sealed class BearerTokenSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubemonitor-token-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_secret_volume_updated_by_the_kubelet_is_read_at_the_next_use()
    {
        // The mounted key is a link whose own time and length stay the same through the update;
        // no time passes, so the once-a-minute re-read cannot be what finds the new token.
        var volume = SecretVolume.Create(Path.Combine(_dir, "push"), new Dictionary<string, string> { ["token"] = "first-token\n" });
        var source = new BearerTokenSource(volume.PathOf("token"), new FakeTimeProvider(DateTimeOffset.UtcNow));
        Assert.Equal("first-token", source.Current());

        volume.Update(new Dictionary<string, string> { ["token"] = "other-token\n" });
        Assert.Equal("other-token", source.Current());
    }

    [Fact]
    public void An_unchanged_volume_is_not_read_again()
    {
        var volume = SecretVolume.Create(Path.Combine(_dir, "push"), new Dictionary<string, string> { ["token"] = "first-token\n" });
        var source = new BearerTokenSource(volume.PathOf("token"), new FakeTimeProvider(DateTimeOffset.UtcNow));
        Assert.Equal("first-token", source.Current());

        // Rewritten in place with the same length and time (what only a re-read would see): the cached token stays.
        var data = Path.Combine(volume.Directory, "..data", "token");
        var written = File.GetLastWriteTimeUtc(data);
        File.WriteAllText(data, "other-token\n");
        File.SetLastWriteTimeUtc(data, written);
        Assert.Equal("first-token", source.Current());
    }
}
