namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// A checkpoint's entity records: a node, or a pod with its containers, as <see cref="NodeImage"/>
/// and <see cref="PodImage"/>. Chunks, the open head's included, are written byte for byte as the
/// store holds them; format version 1 wrote the head's rows decoded, and is still read.
/// </summary>
internal static class ImageCodec
{
    public static void Write(NodeImage node, RecordWriter writer)
    {
        writer.String(node.Name);
        writer.Labels(node.Labels);
        Write(node.Series, writer);
    }

    public static void Write(PodImage pod, RecordWriter writer)
    {
        var identity = pod.Identity;
        writer.String(identity.Namespace);
        writer.String(identity.Name);
        writer.OptionalString(identity.Node);
        writer.OptionalString(identity.Uid);
        writer.OptionalString(identity.OwnerKind);
        writer.OptionalString(identity.OwnerName);
        writer.OptionalString(identity.Deployment);
        writer.Labels(identity.Labels);
        Write(pod.Series, writer);
        writer.Varint((ulong)pod.Containers.Count);
        foreach (var container in pod.Containers)
        {
            writer.String(container.Name);
            Write(container.Series, writer);
        }
    }

    public static NodeImage ReadNode(ReadOnlySpan<byte> payload, int version, StringPool? strings = null)
    {
        var reader = new RecordReader(payload, strings);
        var image = new NodeImage(reader.String(), reader.Labels(), ReadSeries(ref reader, NodeFields.Count, version));
        if (!reader.AtEnd) throw new InvalidDataException("A node record has bytes after its series.");
        return image;
    }

    public static PodImage ReadPod(ReadOnlySpan<byte> payload, int version, StringPool? strings = null)
    {
        var reader = new RecordReader(payload, strings);
        var identity = new PodIdentity(reader.String(), reader.String(), reader.OptionalString(), reader.OptionalString(),
            reader.OptionalString(), reader.OptionalString(), reader.OptionalString(), reader.Labels());
        var series = ReadSeries(ref reader, PodFields.Count, version);
        var containers = new ContainerImage[reader.Count()];
        for (var i = 0; i < containers.Length; i++) containers[i] = new ContainerImage(reader.String(), ReadSeries(ref reader, ContainerFields.Count, version));
        if (!reader.AtEnd) throw new InvalidDataException("A pod record has bytes after its containers.");
        return new PodImage(identity, series, containers);
    }

    private static void Write(SeriesImage series, RecordWriter writer)
    {
        writer.Signed(series.OldestVisibleMs);
        writer.Varint((ulong)series.Chunks.Count);
        foreach (var chunk in series.Chunks) Write(chunk, writer);
        // Then the head, in the same layout, when there is one (an empty series has none).
        writer.Varint(series.IsEmpty ? 0UL : 1UL);
        if (!series.IsEmpty) Write(series.Head, writer);
    }

    private static void Write(ClosedChunk chunk, RecordWriter writer)
    {
        writer.Signed(chunk.First);
        writer.Signed(chunk.Last - chunk.First);
        writer.Varint((ulong)chunk.Count);
        writer.Varint((ulong)chunk.TimesLength);
        writer.Bytes(chunk.Data);
    }

    private static SeriesImage ReadSeries(ref RecordReader reader, int fieldCount, int version)
    {
        var oldestVisibleMs = reader.Signed();
        var chunks = new ClosedChunk[reader.Count()];
        for (var i = 0; i < chunks.Length; i++) chunks[i] = ReadChunk(ref reader);
        if (version == 1) return new SeriesImage(chunks, default, oldestVisibleMs, ReadHeadRows(ref reader, fieldCount));
        return reader.Varint() switch
        {
            0 => new SeriesImage(chunks, default, oldestVisibleMs),
            1 => new SeriesImage(chunks, ReadChunk(ref reader), oldestVisibleMs),
            _ => throw new InvalidDataException("A series' head flag is neither 0 nor 1."),
        };
    }

    private static ClosedChunk ReadChunk(ref RecordReader reader)
    {
        var first = reader.Signed();
        var last = first + reader.Signed();
        var count = (int)reader.Varint();
        var timesLength = (int)reader.Varint();
        var data = reader.Bytes().ToArray();
        if (count < 1 || timesLength < 0 || timesLength > data.Length || last < first) throw new InvalidDataException("A chunk's recorded sizes do not fit its bytes.");
        return new ClosedChunk(data, first, last, count, timesLength);
    }

    /// <summary>Version 1 kept the head as rows: the deltas of their timestamps, then their values.</summary>
    private static HeadRows ReadHeadRows(ref RecordReader reader, int fieldCount)
    {
        var timestamps = new long[reader.Count()];
        var previous = 0L;
        for (var i = 0; i < timestamps.Length; i++) timestamps[i] = previous += reader.Signed();
        var values = new double[timestamps.Length * fieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.Value();
        return new HeadRows(timestamps, values);
    }
}
