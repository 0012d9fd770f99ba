namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// Reads a file of records (a log segment or a checkpoint) up to its last intact record: its
/// header first, which must be one this facade reads, then each record to a callback.
/// </summary>
internal static class RecordFile
{
    /// <summary>What a read found: the header, how many records after it, and where and why it stopped early, if it did.</summary>
    public sealed record Scan(FormatHeader? Header, int Records, long GoodLength, string? Problem);

    public static Scan Read(Stream stream, RecordHandler onRecord) => Read(stream, _ => onRecord);

    /// <summary>As <see cref="Read(Stream, RecordHandler)"/>, with a handler chosen by the file's header (its format version).</summary>
    public static Scan Read(Stream stream, Func<FormatHeader, RecordHandler> handlerFor)
    {
        var frames = new FrameReader(stream);
        var first = frames.Next();
        if (first.IsEnd) return new Scan(null, 0, 0, "no header (an empty file)");
        if (!first.IsRecord) return new Scan(null, 0, 0, first.Problem);
        FormatHeader header;
        try
        {
            header = first.Kind == RecordKind.Header
                ? FormatHeader.Read(frames.Payload)
                : throw new InvalidDataException($"the first record is a {first.Kind}, not a header");
        }
        catch (InvalidDataException e)
        {
            return new Scan(null, 0, 0, e.Message);
        }
        if (header.Incompatibility() is { } incompatible) return new Scan(header, 0, first.FrameLength, incompatible);

        var onRecord = handlerFor(header);
        long good = first.FrameLength;
        var records = 0;
        while (true)
        {
            var next = frames.Next();
            if (next.IsEnd) return new Scan(header, records, good, null);
            if (!next.IsRecord) return new Scan(header, records, good, next.Problem);
            try
            {
                onRecord(next.Kind, frames.Payload);
            }
            catch (InvalidDataException e)
            {
                return new Scan(header, records, good, $"a {next.Kind} record that does not parse ({e.Message})");
            }
            good += next.FrameLength;
            records++;
        }
    }
}

internal delegate void RecordHandler(RecordKind kind, ReadOnlySpan<byte> payload);
