using System.Collections.Concurrent;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// A start's two halves side by side: one thread reads and decodes records (checksums,
/// decompression, strings), the calling one stores them, in the order they were read. Decoding
/// is about as costly as storing, and a facade that is loading has its cores to itself.
/// </summary>
internal static class Pipelined
{
    // Records in flight: enough to ride out a slow read, few enough to hold no real memory.
    private const int InFlight = 256;

    /// <summary>
    /// Runs <paramref name="produce"/> on another thread; every item it hands over goes to
    /// <paramref name="consume"/> on this one. An exception of either side stops both and passes on
    /// (the consumer's first); what <paramref name="produce"/> returns is returned.
    /// </summary>
    public static TResult Run<TItem, TResult>(Func<Action<TItem>, TResult> produce, Action<TItem> consume)
    {
        using var items = new BlockingCollection<TItem>(InFlight);
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            try
            {
                return produce(item => items.Add(item, stop.Token));
            }
            finally
            {
                items.CompleteAdding();
            }
        }, CancellationToken.None);
        try
        {
            foreach (var item in items.GetConsumingEnumerable()) consume(item);
        }
        catch
        {
            stop.Cancel();
            try
            {
                producer.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // The consumer's exception is the one to report; the producer's is its echo.
            }
            throw;
        }
        return producer.GetAwaiter().GetResult();
    }
}
