namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// A checkpoint's entity records: a node, or a pod with its containers, as <see cref="NodeImage"/>
/// and <see cref="PodImage"/>. Closed chunks are written byte for byte as the store holds them.
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

    public static NodeImage ReadNode(ReadOnlySpan<byte> payload, StringPool? strings = null)
    {
        var reader = new RecordReader(payload, strings);
        var image = new NodeImage(reader.String(), reader.Labels(), ReadSeries(ref reader, NodeFields.Count));
        if (!reader.AtEnd) throw new InvalidDataException("A node record has bytes after its series.");
        return image;
    }

    public static PodImage ReadPod(ReadOnlySpan<byte> payload, StringPool? strings = null)
    {
        var reader = new RecordReader(payload, strings);
        var identity = new PodIdentity(reader.String(), reader.String(), reader.OptionalString(), reader.OptionalString(),
            reader.OptionalString(), reader.OptionalString(), reader.OptionalString(), reader.Labels());
        var series = ReadSeries(ref reader, PodFields.Count);
        var containers = new ContainerImage[reader.Count()];
        for (var i = 0; i < containers.Length; i++) containers[i] = new ContainerImage(reader.String(), ReadSeries(ref reader, ContainerFields.Count));
        if (!reader.AtEnd) throw new InvalidDataException("A pod record has bytes after its containers.");
        return new PodImage(identity, series, containers);
    }

    private static void Write(SeriesImage series, RecordWriter writer)
    {
        writer.Signed(series.OldestVisibleMs);
        writer.Varint((ulong)series.Chunks.Count);
        foreach (var chunk in series.Chunks)
        {
            writer.Signed(chunk.First);
            writer.Signed(chunk.Last - chunk.First);
            writer.Varint((ulong)chunk.Count);
            writer.Varint((ulong)chunk.TimesLength);
            writer.Bytes(chunk.Data);
        }
        writer.Varint((ulong)series.HeadTimestamps.Length);
        var previous = 0L;
        foreach (var timestamp in series.HeadTimestamps)
        {
            writer.Signed(timestamp - previous);
            previous = timestamp;
        }
        foreach (var value in series.HeadValues) writer.Value(value);
    }

    private static SeriesImage ReadSeries(ref RecordReader reader, int fieldCount)
    {
        var oldestVisibleMs = reader.Signed();
        var chunks = new ClosedChunk[reader.Count()];
        for (var i = 0; i < chunks.Length; i++)
        {
            var first = reader.Signed();
            var last = first + reader.Signed();
            var count = (int)reader.Varint();
            var timesLength = (int)reader.Varint();
            var data = reader.Bytes().ToArray();
            if (count < 1 || timesLength > data.Length || last < first) throw new InvalidDataException("A chunk's recorded sizes do not fit its bytes.");
            chunks[i] = new ClosedChunk(data, first, last, count, timesLength);
        }
        var timestamps = new long[reader.Count()];
        var previous = 0L;
        for (var i = 0; i < timestamps.Length; i++) timestamps[i] = previous += reader.Signed();
        var values = new double[timestamps.Length * fieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.Value();
        return new SeriesImage(chunks, timestamps, values, oldestVisibleMs);
    }
}
