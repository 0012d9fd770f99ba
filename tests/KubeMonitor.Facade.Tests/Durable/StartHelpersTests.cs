using System.Text;
using KubeMonitor.Facade.Storage.Durable;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>The pieces a start reads with: records decoded beside the store, and one string per text.</summary>
public sealed class StartHelpersTests
{
    [Fact]
    public void Pipelined_hands_every_item_over_in_order_and_returns_what_the_producer_returns()
    {
        var consumed = new List<int>();
        var result = Pipelined.Run<int, string>(hand =>
        {
            for (var i = 0; i < 10_000; i++) hand(i);
            return "read all";
        }, consumed.Add);
        Assert.Equal("read all", result);
        Assert.Equal(Enumerable.Range(0, 10_000), consumed);
    }

    [Fact]
    public void A_consumer_failure_stops_the_producer_and_passes_on()
    {
        var produced = 0;
        var e = Assert.Throws<InvalidOperationException>(() => Pipelined.Run<int, int>(hand =>
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                hand(i);
                produced++;
            }
            return produced;
        }, item =>
        {
            if (item == 5) throw new InvalidOperationException("consumer gave up");
        }));
        Assert.Equal("consumer gave up", e.Message);
        Assert.True(produced < 1_000_000, $"the producer went on to {produced} items after the consumer failed");
    }

    [Fact]
    public void A_producer_failure_passes_on_after_what_it_handed_over()
    {
        var consumed = new List<int>();
        var e = Assert.Throws<IOException>(() => Pipelined.Run<int, int>(hand =>
        {
            hand(1);
            hand(2);
            throw new IOException("disk gone");
        }, consumed.Add));
        Assert.Equal("disk gone", e.Message);
        Assert.Equal([1, 2], consumed);
    }

    [Fact]
    public void A_string_pool_gives_one_object_per_text()
    {
        var pool = new StringPool();
        var first = pool.Get("kube-system"u8);
        var second = pool.Get(Encoding.UTF8.GetBytes("kube-system"));
        Assert.Equal("kube-system", first);
        Assert.Same(first, second);
        Assert.Equal("ünïcødé-pod", pool.Get(Encoding.UTF8.GetBytes("ünïcødé-pod")));
        var longText = new string('x', 1000);
        Assert.Same(pool.Get(Encoding.UTF8.GetBytes(longText)), pool.Get(Encoding.UTF8.GetBytes(longText)));
        Assert.Equal(string.Empty, pool.Get([]));
    }
}
