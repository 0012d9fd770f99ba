namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// An accepted push as one log record: the validated <see cref="IngestBatch"/> as the store got it
/// (names checked, timestamps shifted, values in the field tables' columns), so a replay stores
/// exactly what the push stored, without parsing or validating it again.
/// </summary>
internal static class BatchCodec
{
    public static void Write(IngestBatch batch, RecordWriter writer)
    {
        writer.Signed(batch.ClockOffsetMs);
        if (batch.Node is { } node)
        {
            writer.Byte(1);
            writer.String(node.Name);
            writer.Signed(node.TimestampMs);
            writer.Values(node.Values);
            writer.Labels(node.Labels);
        }
        else
        {
            writer.Byte(0);
        }
        writer.Varint((ulong)batch.Pods.Count);
        foreach (var pod in batch.Pods)
        {
            writer.String(pod.Namespace);
            writer.String(pod.Name);
            writer.OptionalString(pod.Node);
            writer.OptionalString(pod.Uid);
            writer.OptionalString(pod.OwnerKind);
            writer.OptionalString(pod.OwnerName);
            writer.OptionalString(pod.Deployment);
            writer.Signed(pod.TimestampMs);
            writer.Values(pod.Values);
            writer.Labels(pod.Labels);
            writer.Varint((ulong)pod.Containers.Length);
            foreach (var container in pod.Containers)
            {
                writer.String(container.Name);
                writer.Values(container.Values);
            }
        }
    }

    public static IngestBatch Read(ReadOnlySpan<byte> payload, StringPool? strings = null)
    {
        var reader = new RecordReader(payload, strings);
        var clockOffsetMs = reader.Signed();
        NodeEntry? node = null;
        switch (reader.Byte())
        {
            case 0:
                break;
            case 1:
                node = new NodeEntry(reader.String(), reader.Signed(), reader.Values(NodeFields.Count), reader.Labels());
                break;
            default:
                throw new InvalidDataException("A batch record's node flag is neither 0 nor 1.");
        }
        var pods = new PodEntry[reader.Count()];
        for (var i = 0; i < pods.Length; i++)
        {
            var ns = reader.String();
            var name = reader.String();
            var podNode = reader.OptionalString();
            var uid = reader.OptionalString();
            var ownerKind = reader.OptionalString();
            var ownerName = reader.OptionalString();
            var deployment = reader.OptionalString();
            var timestampMs = reader.Signed();
            var values = reader.Values(PodFields.Count);
            var labels = reader.Labels();
            var containers = new ContainerEntry[reader.Count()];
            for (var c = 0; c < containers.Length; c++) containers[c] = new ContainerEntry(reader.String(), reader.Values(ContainerFields.Count));
            pods[i] = new PodEntry(ns, name, podNode, uid, ownerKind, ownerName, deployment, timestampMs, values, containers, labels);
        }
        if (!reader.AtEnd) throw new InvalidDataException("A batch record has bytes after its last pod.");
        return new IngestBatch(node, pods) { ClockOffsetMs = clockOffsetMs };
    }
}
