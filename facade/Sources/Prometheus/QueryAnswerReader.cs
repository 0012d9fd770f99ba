using System.Buffers;
using System.Text.Json;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>Feeds a <see cref="QueryAnswerParser"/> from a stream as the answer arrives, holding one series at most.</summary>
internal static class QueryAnswerReader
{
    private const int FirstBufferBytes = 64 * 1024;

    /// <summary>The largest piece (one series) held at once; a bigger one is an answer the facade refuses to read.</summary>
    internal const int MaxBufferBytes = 512 * 1024 * 1024;

    /// <exception cref="JsonException">The answer is not a query answer's JSON, ends early, or has a series past <see cref="MaxBufferBytes"/>.</exception>
    public static async Task ReadAsync(Stream stream, QueryAnswerParser parser, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FirstBufferBytes);
        try
        {
            var filled = 0;
            var ended = false;
            // What the last parse left: a piece (a series) cut off by the end of the data. It is
            // parsed again once the bytes after it have doubled, the buffer is full or the stream
            // ended, so that each byte is parsed a bounded number of times however big the series.
            var leftover = 0;
            while (!parser.Done)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0) ended = true;
                filled += read;
                if (!ended && filled < buffer.Length && filled < 2 * leftover) continue;

                var used = parser.Parse(buffer.AsSpan(0, filled), ended);
                if (ended) break;
                buffer.AsSpan(used, filled - used).CopyTo(buffer);
                filled -= used;
                leftover = filled;
                if (filled == buffer.Length) buffer = Grow(buffer, filled);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int filled)
    {
        if (buffer.Length >= MaxBufferBytes) throw new JsonException($"A series of the answer is larger than {MaxBufferBytes / (1024 * 1024)} MiB.");
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxBufferBytes, buffer.Length * 2));
        buffer.AsSpan(0, filled).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
