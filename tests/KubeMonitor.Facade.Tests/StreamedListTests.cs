using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.Facade.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMonitor.Facade.Tests;

/// <summary>A whole list is written in small flushes while it is made, and no more of it is made once the client is gone.</summary>
public sealed class StreamedListTests
{
    /// <summary>A response body that records its flushes; after <paramref name="flushesBeforeGone"/> the client is gone.</summary>
    private sealed class RecordingBody(int flushesBeforeGone = int.MaxValue) : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _written = new();
        private long _unflushed;

        public List<long> FlushSizes { get; } = [];

        public string Text => Encoding.UTF8.GetString(_written.WrittenSpan);

        public override void Advance(int bytes)
        {
            _written.Advance(bytes);
            _unflushed += bytes;
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _written.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _written.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            FlushSizes.Add(_unflushed);
            _unflushed = 0;
            return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: FlushSizes.Count >= flushesBeforeGone));
        }

        public override void CancelPendingFlush() { }

        public override void Complete(Exception? exception = null) { }
    }

    private sealed class BodyFeature(PipeWriter writer) : IHttpResponseBodyFeature
    {
        public Stream Stream => writer.AsStream();
        public PipeWriter Writer => writer;
        public void DisableBuffering() { }
        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task CompleteAsync() => Task.CompletedTask;
    }

    private static DefaultHttpContext Context(PipeWriter body)
    {
        var services = new ServiceCollection().AddLogging().ConfigureHttpJsonOptions(_ => { }).BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Features.Set<IHttpResponseBodyFeature>(new BodyFeature(body));
        return context;
    }

    private sealed record Item(string Name, int Number);

    [Fact]
    public async Task The_list_goes_out_in_small_flushes_and_reads_back_whole()
    {
        var body = new RecordingBody();
        var items = Enumerable.Range(0, 20_000).Select(i => new Item($"pod-{i:D5}", i));
        await new StreamedList<Item>(items).ExecuteAsync(Context(body));

        var list = JsonNode.Parse(body.Text)!["items"]!.AsArray();
        Assert.Equal(20_000, list.Count);
        Assert.Equal("pod-19999", (string?)list[^1]!["name"]);
        Assert.True(body.FlushSizes.Count > 20, $"{body.FlushSizes.Count} flushes");
        Assert.True(body.FlushSizes.Max() < 20 * 1024, $"a flush of {body.FlushSizes.Max()} bytes");
    }

    [Fact]
    public async Task No_more_of_the_list_is_made_once_the_client_is_gone()
    {
        var body = new RecordingBody(flushesBeforeGone: 3);
        var made = 0;
        var items = Enumerable.Range(0, 100_000).Select(i =>
        {
            made++;
            return new Item($"pod-{i:D6}", i);
        });
        await new StreamedList<Item>(items).ExecuteAsync(Context(body));

        Assert.Equal(3, body.FlushSizes.Count);
        Assert.True(made < 2_000, $"{made} items made for a client that left after 3 flushes");
    }
}
