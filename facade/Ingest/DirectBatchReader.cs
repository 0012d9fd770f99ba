using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Ingest;

/// <summary>
/// Reads a batch push (docs/api.md section 2) with <see cref="Utf8JsonReader"/> straight into the
/// store's rows, without the contract's objects (a <c>PodSample</c>, its sections and its container
/// list per pod, most of what a push allocated and a tenth of its CPU).
/// <para>
/// It takes only what it reads plainly right. Anything else gives up (returns null): JSON that is
/// not well formed, a name, value or timestamp the contract refuses, a property twice, a value of
/// another type than expected, even where the general reader would skip it. The push is then read
/// the general way (<see cref="JsonSerializer"/> and <see cref="SampleValidator"/>), which names
/// what is wrong. So every error is the general way's by construction, and the same checks
/// (<see cref="SampleValidator"/>'s) decide what is stored; the property tests check that both
/// ways store the same batch.
/// </para>
/// </summary>
internal sealed class DirectBatchReader(SampleValidator validator)
{
    private static readonly PushLayout NodeLayout = PushLayout.Of(NodeFields.Table);
    private static readonly PushLayout PodLayout = PushLayout.Of(PodFields.Table);
    private static readonly PushLayout ContainerLayout = PushLayout.Of(ContainerFields.Table);

    // The general reader's limits: its depth, no comments, no trailing commas.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = ContractJson.Default.Options.MaxDepth };

    /// <summary>The messages of checks are not shown here: a failed check gives up, and the general way says it.</summary>
    private static readonly Where Anywhere = new("batch");

    // The properties of each object of the contract, other than its sections (in the layouts).
    private static readonly byte[][] BatchProperties = ["timestamp"u8.ToArray(), "sentAt"u8.ToArray(), "node"u8.ToArray(), "pods"u8.ToArray()];
    private const int BatchTimestamp = 0, BatchSentAt = 1, BatchNode = 2, BatchPods = 3;

    private static readonly byte[][] NodeProperties = ["timestamp"u8.ToArray(), "labels"u8.ToArray()];
    private const int NodeTimestamp = 0, NodeLabels = 1;

    private static readonly byte[][] PodProperties =
    [
        "name"u8.ToArray(), "timestamp"u8.ToArray(), "namespace"u8.ToArray(), "node"u8.ToArray(), "uid"u8.ToArray(),
        "ownerKind"u8.ToArray(), "ownerName"u8.ToArray(), "deployment"u8.ToArray(), "labels"u8.ToArray(), "containers"u8.ToArray(),
    ];
    private const int PodName = 0, PodTimestamp = 1, PodNamespace = 2, PodNode = 3, PodUid = 4,
        PodOwnerKind = 5, PodOwnerName = 6, PodDeployment = 7, PodLabels = 8, PodContainers = 9;

    private static readonly byte[][] ContainerProperties = ["name"u8.ToArray()];

    private readonly RecentStrings _recent = new();

    // The pods of a batch as read, before its timestamp is known: one list a thread, reused.
    [ThreadStatic]
    private static List<Pod>? t_pods;

    /// <summary>The batch of node <paramref name="node"/> in <paramref name="body"/> (valid UTF-8), or null to read it the general way.</summary>
    public IngestBatch? TryRead(string node, ReadOnlySpan<byte> body)
    {
        if (!KubernetesNames.IsSubdomain(node)) return null;
        var reader = new Utf8JsonReader(body, ReaderOptions);
        var pods = t_pods ?? [];
        t_pods = null;
        try
        {
            return ReadBatch(ref reader, node, pods, new Scratch(_recent.Start(node)));
        }
        catch (Exception e) when (e is JsonException or SampleException)
        {
            return null;
        }
        finally
        {
            pods.Clear();
            t_pods = pods;
        }
    }

    private IngestBatch? ReadBatch(ref Utf8JsonReader reader, string node, List<Pod> pods, Scratch scratch)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        DateTimeOffset? timestamp = null, sentAt = null;
        Node? nodeSample = null;
        var seen = 0UL;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = IndexOf(ref reader, BatchProperties);
            reader.Read();
            if (property < 0)
            {
                reader.Skip();
                continue;
            }
            if (!FirstTime(ref seen, property)) return null;
            if (reader.TokenType == JsonTokenType.Null) continue;
            switch (property)
            {
                case BatchTimestamp:
                    if (!ReadTimestamp(ref reader, out timestamp)) return null;
                    break;
                case BatchSentAt:
                    if (!ReadTimestamp(ref reader, out sentAt)) return null;
                    break;
                case BatchNode:
                    if (reader.TokenType != JsonTokenType.StartObject) return null;
                    nodeSample = ReadNode(ref reader, scratch);
                    if (nodeSample is null) return null;
                    break;
                case BatchPods:
                    if (reader.TokenType != JsonTokenType.StartArray) return null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (ReadPod(ref reader, node, scratch) is not { } pod) return null;
                        pods.Add(pod);
                    }
                    if (reader.TokenType != JsonTokenType.EndArray) return null;
                    break;
            }
        }
        // Nothing but white space after the object.
        if (reader.Read()) return null;

        var context = validator.BatchContext(sentAt);
        var batchTimestamp = timestamp is { } t ? context.Check(t, Anywhere) : (long?)null;
        var nodeEntry = nodeSample is { } n
            ? new NodeEntry(node, context.Timestamp(n.Timestamp, batchTimestamp, Anywhere), n.Values, n.Labels)
            : null;
        var podEntries = new PodEntry[pods.Count];
        for (var i = 0; i < podEntries.Length; i++)
        {
            var pod = pods[i];
            podEntries[i] = new PodEntry(
                pod.Namespace, pod.Name, node, pod.Uid, pod.OwnerKind, pod.OwnerName, pod.Deployment,
                context.Timestamp(pod.Timestamp, batchTimestamp, Anywhere), pod.Values, pod.Containers, pod.Labels);
        }
        return new IngestBatch(nodeEntry, podEntries) { ClockOffsetMs = context.OffsetMs };
    }

    private static Node? ReadNode(ref Utf8JsonReader reader, Scratch scratch)
    {
        DateTimeOffset? timestamp = null;
        LabelSet? labels = null;
        var values = NodeFields.Table.EmptyRow();
        var seen = 0UL;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = IndexOf(ref reader, NodeProperties);
            if (property < 0)
            {
                if (!ReadSectionOrSkip(ref reader, NodeLayout, ref seen, NodeProperties.Length, values)) return null;
                continue;
            }
            reader.Read();
            if (!FirstTime(ref seen, property)) return null;
            if (reader.TokenType == JsonTokenType.Null) continue;
            var read = property switch
            {
                NodeTimestamp => ReadTimestamp(ref reader, out timestamp),
                _ => ReadLabels(ref reader, scratch, out labels),
            };
            if (!read) return null;
        }
        return new Node(timestamp, values, labels);
    }

    private static Pod? ReadPod(ref Utf8JsonReader reader, string node, Scratch scratch)
    {
        string? name = null, ns = null, uid = null, ownerKind = null, ownerName = null, deployment = null;
        DateTimeOffset? timestamp = null;
        LabelSet? labels = null;
        var containers = Array.Empty<ContainerEntry>();
        var values = PodFields.Table.EmptyRow();
        var seen = 0UL;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = IndexOf(ref reader, PodProperties);
            if (property < 0)
            {
                if (!ReadSectionOrSkip(ref reader, PodLayout, ref seen, PodProperties.Length, values)) return null;
                continue;
            }
            reader.Read();
            if (!FirstTime(ref seen, property)) return null;
            if (reader.TokenType == JsonTokenType.Null) continue;
            var read = property switch
            {
                PodName => ReadString(ref reader, scratch, out name),
                PodTimestamp => ReadTimestamp(ref reader, out timestamp),
                PodNamespace => ReadString(ref reader, scratch, out ns),
                // In a batch the path's node is the pod's; the pod's own must still be a string.
                PodNode => reader.TokenType == JsonTokenType.String,
                PodUid => ReadString(ref reader, scratch, out uid),
                PodOwnerKind => ReadString(ref reader, scratch, out ownerKind),
                PodOwnerName => ReadString(ref reader, scratch, out ownerName),
                PodDeployment => ReadString(ref reader, scratch, out deployment),
                PodLabels => ReadLabels(ref reader, scratch, out labels),
                _ => ReadContainers(ref reader, scratch, out containers),
            };
            if (!read) return null;
        }
        if (name is null) return null;
        SampleValidator.CheckPod(name, ns, node, uid, ownerKind, ownerName, deployment, Anywhere);
        return new Pod(name, ns, uid, ownerKind, ownerName, deployment, timestamp, values, containers, labels);
    }

    private static bool ReadContainers(ref Utf8JsonReader reader, Scratch scratch, out ContainerEntry[] containers)
    {
        containers = [];
        if (reader.TokenType != JsonTokenType.StartArray) return false;
        var read = scratch.Containers;
        read.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? name = null;
            var values = ContainerFields.Table.EmptyRow();
            var seen = 0UL;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (IndexOf(ref reader, ContainerProperties) < 0)
                {
                    if (!ReadSectionOrSkip(ref reader, ContainerLayout, ref seen, ContainerProperties.Length, values)) return false;
                    continue;
                }
                reader.Read();
                if (!FirstTime(ref seen, 0)) return false;
                if (reader.TokenType != JsonTokenType.Null && !ReadString(ref reader, scratch, out name)) return false;
            }
            SampleValidator.CheckContainer(name, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(read), Anywhere);
            read.Add(new ContainerEntry(name, values));
        }
        if (reader.TokenType != JsonTokenType.EndArray) return false;
        containers = [.. read];
        return true;
    }

    /// <summary>
    /// At an entity's property that is not one of its own: a section of its layout, read into
    /// <paramref name="values"/>, or a property the contract does not know, skipped whatever it holds
    /// (a newer exporter's). A section's bit in <paramref name="seen"/> follows the entity's own properties.
    /// </summary>
    private static bool ReadSectionOrSkip(ref Utf8JsonReader reader, PushLayout layout, ref ulong seen, int ownProperties, double[] values)
    {
        var member = layout.Find(ref reader);
        reader.Read();
        if (member < 0)
        {
            reader.Skip();
            return true;
        }
        if (!FirstTime(ref seen, ownProperties + member)) return false;
        return reader.TokenType == JsonTokenType.Null
            || (reader.TokenType == JsonTokenType.StartObject && ReadSection(ref reader, layout.Section(member)!, values));
    }

    /// <summary>A section's values into their columns; a member it does not hold may be a number or null (see the class).</summary>
    private static bool ReadSection(ref Utf8JsonReader reader, PushLayout layout, double[] values)
    {
        var seen = 0UL;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = layout.Find(ref reader);
            reader.Read();
            if (member < 0)
            {
                // The contract's numbers that the store does not keep (a pod's cpu.capacityCores) are
                // read as numbers by the general reader; a newer exporter's are skipped. Either is
                // taken here as a number or null; anything else is left to the general reader.
                if (reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out _))) continue;
                return false;
            }
            if (!FirstTime(ref seen, member)) return false;
            if (reader.TokenType == JsonTokenType.Null) continue;
            if (layout.Section(member) is { } inner)
            {
                if (reader.TokenType != JsonTokenType.StartObject || !ReadSection(ref reader, inner, values)) return false;
            }
            else
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value) || !SampleValidator.IsAllowed(value)) return false;
                values[layout.Column(member)] = value;
            }
        }
        return true;
    }

    private static bool ReadLabels(ref Utf8JsonReader reader, Scratch scratch, out LabelSet? labels)
    {
        labels = null;
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        var read = scratch.Labels;
        read.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // More than the contract takes: the general way says so (and no quadratic scan below on a hostile push).
            if (read.Count == SampleValidator.MaxLabels) return false;
            var key = scratch.Strings.Take(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String) return false;
            foreach (var (other, _) in read)
            {
                if (other == key) return false;
            }
            read.Add(new(key, scratch.Strings.Take(ref reader)));
        }
        labels = SampleValidator.Labels(read, Anywhere);
        return true;
    }

    private static bool ReadString(ref Utf8JsonReader reader, Scratch scratch, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? scratch.Strings.Take(ref reader) : null;
        return value is not null;
    }

    private static bool ReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset? value)
    {
        var read = UtcTimestampConverter.TryRead(ref reader, out var timestamp);
        value = read ? timestamp : null;
        return read;
    }

    /// <summary>Marks <paramref name="bit"/> seen; false when it was already (a property twice: the general reader keeps the last, this one gives up).</summary>
    private static bool FirstTime(ref ulong seen, int bit)
    {
        var mask = 1UL << bit;
        if ((seen & mask) != 0) return false;
        seen |= mask;
        return true;
    }

    private static int IndexOf(ref Utf8JsonReader reader, byte[][] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i])) return i;
        }
        return -1;
    }

    /// <summary>What one batch's reading keeps: where it is in its node's recent strings, and lists
    /// reused for every pod (a pod's containers and labels are copied out of them).</summary>
    private sealed class Scratch(RecentStrings.Cursor strings)
    {
        public RecentStrings.Cursor Strings = strings;
        public readonly List<ContainerEntry> Containers = [];
        public readonly List<KeyValuePair<string, string>> Labels = [];
    }

    private readonly record struct Node(DateTimeOffset? Timestamp, double[] Values, LabelSet? Labels);

    private readonly record struct Pod(
        string Name, string Namespace, string? Uid, string? OwnerKind, string? OwnerName, string? Deployment,
        DateTimeOffset? Timestamp, double[] Values, ContainerEntry[] Containers, LabelSet? Labels);
}
