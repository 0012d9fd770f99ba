namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// A checkpoint's entity records: a node, or a pod with its containers, as <see cref="NodeImage"/>
/// and <see cref="PodImage"/>. The open head chunk is written byte for byte as the store holds it;
/// closed chunks are named by their place in the chunk files. Earlier formats are still read:
/// version 5 kept each container in a series of its own (merged into its pod's rows at load, by
/// <see cref="OlderPods"/>), version 4 also coded every column from its own past only, with fixed
/// codes, version 3 also encoded rows without the steady-columns bit, version 2 also wrote closed
/// chunks' bytes in the checkpoint, version 1 also the head's rows decoded. Their series come back
/// as rows (<see cref="SeriesImage.DecodedHead"/>), which the store appends again in the current encoding.
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
        // The places first: they say how wide the rows are.
        writer.Varint((ulong)pod.Places.Count);
        foreach (var place in pod.Places)
        {
            writer.OptionalString(place.Name);
            writer.Signed(place.SinceMs);
            writer.Varint(place.NewestMs is null ? 0UL : 1UL);
            if (place.NewestMs is { } newest) writer.Signed(newest);
        }
        Write(pod.Series, writer);
    }

    /// <param name="chunks">Reads the closed chunks a version 3 record names.</param>
    public static NodeImage ReadNode(ReadOnlySpan<byte> payload, int version, ChunkFiles.Reader? chunks, StringPool? strings = null)
    {
        var reader = new RecordReader(payload, strings);
        var image = new NodeImage(reader.String(), reader.Labels(), ReadSeries(ref reader, NodeFields.Count, version, chunks));
        if (!reader.AtEnd) throw new InvalidDataException("A node record has bytes after its series.");
        return image;
    }

    /// <inheritdoc cref="ReadNode"/>
    public static PodImage ReadPod(ReadOnlySpan<byte> payload, int version, ChunkFiles.Reader? chunks, StringPool? strings = null)
    {
        var reader = new RecordReader(payload, strings);
        var identity = new PodIdentity(reader.String(), reader.String(), reader.OptionalString(), reader.OptionalString(),
            reader.OptionalString(), reader.OptionalString(), reader.OptionalString(), reader.Labels());
        PodImage image;
        if (version >= FormatHeader.PodRowsVersion)
        {
            var places = new ContainerPlace[reader.Count()];
            for (var i = 0; i < places.Length; i++)
            {
                var name = reader.OptionalString();
                var sinceMs = reader.Signed();
                places[i] = new ContainerPlace(name, sinceMs, reader.Varint() switch
                {
                    0 => null,
                    1 => reader.Signed(),
                    _ => throw new InvalidDataException("A container place's newest-row flag is neither 0 nor 1."),
                });
            }
            image = new PodImage(identity, ReadSeries(ref reader, PodRowLayout.Width(places.Length), version, chunks), places);
        }
        else
        {
            var series = ReadSeries(ref reader, PodFields.Count, version, chunks);
            var containers = new (string Name, SeriesImage Series)[reader.Count()];
            for (var i = 0; i < containers.Length; i++) containers[i] = (reader.String(), ReadSeries(ref reader, ContainerFields.Count, version, chunks));
            image = OlderPods.Merged(identity, Decoded(series, PodFields.Table), [.. containers.Select(c => (c.Name, Decoded(c.Series, ContainerFields.Table)))]);
        }
        if (!reader.AtEnd) throw new InvalidDataException("A pod record has bytes after its last field.");
        return image;
    }

    private static void Write(SeriesImage series, RecordWriter writer)
    {
        writer.Signed(series.OldestVisibleMs);
        writer.Varint((ulong)series.Chunks.Count);
        foreach (var chunk in series.Chunks)
        {
            if (chunk.StoredAt == 0) throw new InvalidOperationException("A checkpoint names closed chunks by their place; this one has none.");
            WriteMetadata(chunk, writer);
            writer.Varint((ulong)chunk.StoredAt);
            writer.Varint((ulong)chunk.Length);
        }
        // Then the head, its bytes after the same metadata, when there is one (an empty series has none).
        writer.Varint(series.IsEmpty ? 0UL : 1UL);
        if (series.IsEmpty) return;
        WriteMetadata(series.Head, writer);
        writer.Bytes(series.Head.Data);
    }

    private static void WriteMetadata(ClosedChunk chunk, RecordWriter writer)
    {
        writer.Signed(chunk.First);
        writer.Signed(chunk.Last - chunk.First);
        writer.Varint((ulong)chunk.Count);
        writer.Varint((ulong)chunk.TimesLength);
    }

    private static SeriesImage ReadSeries(ref RecordReader reader, int fieldCount, int version, ChunkFiles.Reader? chunkFiles)
    {
        var oldestVisibleMs = reader.Signed();
        var chunks = new ClosedChunk[reader.Count()];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = version >= 3 ? ReadStoredChunk(ref reader, chunkFiles ?? throw new InvalidOperationException("Version 3 checkpoints are read with their chunk files.")) : ReadChunk(ref reader);
        }
        var image = version == 1
            ? new SeriesImage(chunks, default, oldestVisibleMs, ReadHeadRows(ref reader, fieldCount))
            : reader.Varint() switch
            {
                0 => new SeriesImage(chunks, default, oldestVisibleMs),
                1 => new SeriesImage(chunks, ReadChunk(ref reader), oldestVisibleMs),
                _ => throw new InvalidDataException("A series' head flag is neither 0 nor 1."),
            };
        return version < FormatHeader.ReferencesVersion
            ? Decoded(image, fieldCount, version < FormatHeader.SteadyRowsVersion ? ChunkCoding.NoSteadyRows : ChunkCoding.OwnPast, references: null)
            : image;
    }

    /// <summary>A series of the current encoding, of one field table's columns, as its rows (one already decoded stays as it is).</summary>
    private static SeriesImage Decoded(SeriesImage image, FieldTable table) =>
        image.Chunks.Count == 0 && image.DecodedHead is not null ? image : Decoded(image, table.Count, ChunkCoding.Current, table.References);

    /// <summary>A series of an older encoding as its rows, oldest first (chunks, then the head).</summary>
    private static SeriesImage Decoded(SeriesImage image, int fieldCount, ChunkCoding coding, ColumnReferences? references)
    {
        var timestamps = new List<long>();
        var values = new List<double>();
        Span<ColumnState> states = fieldCount <= 64 ? stackalloc ColumnState[fieldCount] : new ColumnState[fieldCount];
        Span<double> row = fieldCount <= 64 ? stackalloc double[fieldCount] : new double[fieldCount];
        try
        {
            foreach (var chunk in image.Chunks) DecodeInto(chunk, states, row, coding, references, timestamps, values);
            if (image.DecodedHead is { } headRows)
            {
                timestamps.AddRange(headRows.Timestamps);
                values.AddRange(headRows.Values);
            }
            else if (image.Head.Count > 0)
            {
                DecodeInto(image.Head, states, row, coding, references, timestamps, values);
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException)
        {
            throw new InvalidDataException($"A series of an older format does not decode: {e.Message}", e);
        }
        return new SeriesImage([], default, image.OldestVisibleMs, new HeadRows([.. timestamps], [.. values]));
    }

    private static void DecodeInto(ClosedChunk chunk, Span<ColumnState> states, Span<double> row, ChunkCoding coding, ColumnReferences? references, List<long> timestamps, List<double> values)
    {
        var decoder = new ChunkDecoder(chunk.View, states, row, references, coding);
        while (decoder.MoveNext())
        {
            timestamps.Add(decoder.Timestamp);
            foreach (var value in row) values.Add(value);
        }
    }

    private static ClosedChunk ReadChunk(ref RecordReader reader)
    {
        var (first, last, count, timesLength) = ReadMetadata(ref reader);
        return Checked(new ClosedChunk(reader.Bytes().ToArray(), first, last, count, timesLength));
    }

    private static ClosedChunk ReadStoredChunk(ref RecordReader reader, ChunkFiles.Reader chunkFiles)
    {
        var (first, last, count, timesLength) = ReadMetadata(ref reader);
        var place = reader.Varint();
        var length = reader.Varint();
        if (place is 0 or > long.MaxValue || length is 0 or > Frames.MaxPayload) throw new InvalidDataException("A stored chunk's place or length is out of range.");
        return Checked(new ClosedChunk(chunkFiles.Read((long)place, (int)length), first, last, count, timesLength, (long)place));
    }

    private static (long First, long Last, int Count, int TimesLength) ReadMetadata(ref RecordReader reader)
    {
        var first = reader.Signed();
        return (first, first + reader.Signed(), (int)reader.Varint(), (int)reader.Varint());
    }

    private static ClosedChunk Checked(ClosedChunk chunk)
    {
        if (chunk.Count < 1 || chunk.TimesLength < 0 || chunk.TimesLength > chunk.Data.Length || chunk.Last < chunk.First) throw new InvalidDataException("A chunk's recorded sizes do not fit its bytes.");
        return chunk;
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
