using System.Diagnostics.CodeAnalysis;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Ingest;

/// <summary>
/// Checks a whole push before anything of it is stored (docs/api.md sections 1 and 2) and turns it
/// into the store's <see cref="IngestBatch"/>: names, values finite and not negative, timestamps
/// not too far ahead; a sample without a timestamp takes the batch's, then the receive time.
/// </summary>
internal sealed class SampleValidator(TimeProvider clock, IOptions<FacadeOptions> options)
{
    private const int MaxUidLength = 128;

    /// <summary>
    /// Labels a pod or node may carry. Kubernetes sets no count, but the facade holds every pod's
    /// labels for its life and writes them into each of its views: 64 (up to ~24 KB of text) is
    /// several times what workloads and cloud nodes carry (well under 30), and keeps one pod's
    /// share of memory and of a list bounded.
    /// </summary>
    internal const int MaxLabels = SampleLimits.MaxLabels;

    public IngestBatch Node(string node, NodeSample sample)
    {
        RequireSubdomain(node, "node name");
        var context = new Context(clock.GetUtcNow(), options.Value.MaxFutureSkew);
        return new IngestBatch(NodeEntry(node, sample, null, context, new Where("node")), []);
    }

    public IngestBatch Pod(string pod, PodSample sample)
    {
        var context = new Context(clock.GetUtcNow(), options.Value.MaxFutureSkew);
        return new IngestBatch(null, [PodEntry(pod, sample, sample.Node, null, context, new Where($"pod '{pod}'"))]);
    }

    public IngestBatch Batch(string node, Batch batch)
    {
        RequireSubdomain(node, "node name");
        var context = BatchContext(batch.SentAt);
        var batchTimestamp = batch.Timestamp is { } t ? context.Check(t, new Where("batch")) : (long?)null;
        var nodeEntry = batch.Node is null ? null : NodeEntry(node, batch.Node, batchTimestamp, context, new Where("node"));
        var pods = new List<PodEntry>(batch.Pods?.Count ?? 0);
        for (var i = 0; i < (batch.Pods?.Count ?? 0); i++)
        {
            var pod = batch.Pods![i] ?? throw new SampleException($"pods[{i}] is null.");
            if (pod.Name is null) throw new SampleException($"pods[{i}]: name is required.");
            pods.Add(PodEntry(pod.Name, pod, node, batchTimestamp, context, new Where(i, pod)));
        }
        return new IngestBatch(nodeEntry, pods) { ClockOffsetMs = context.OffsetMs };
    }

    /// <summary>A batch's receive time and clock offset (from its <c>sentAt</c>), fixed for all of its timestamps.</summary>
    internal Context BatchContext(DateTimeOffset? sentAt)
    {
        var now = clock.GetUtcNow();
        return new Context(now, options.Value.MaxFutureSkew, ClockOffsetMs(sentAt, now), sentAt is not null);
    }

    /// <summary>
    /// How far the sender's clock is behind the facade's (docs/api.md section 1): the facade's
    /// receive time minus <c>sentAt</c>, or 0 within a second (network latency and ordinary NTP
    /// drift are not worth a shift).
    /// </summary>
    internal static long ClockOffsetMs(DateTimeOffset? sentAt, DateTimeOffset now)
    {
        if (sentAt is not { } sent) return 0;
        var offsetMs = now.ToUnixTimeMilliseconds() - sent.ToUnixTimeMilliseconds();
        return Math.Abs(offsetMs) > MaxUnshiftedOffsetMs ? offsetMs : 0;
    }

    private const long MaxUnshiftedOffsetMs = 1000;

    private static NodeEntry NodeEntry(string node, NodeSample sample, long? batchTimestamp, Context context, Where what)
    {
        var values = Values(NodeFields.Table, sample, what);
        return new NodeEntry(node, context.Timestamp(sample.Timestamp, batchTimestamp, what), values, Labels(sample.Labels, what));
    }

    private static PodEntry PodEntry(string name, PodSample sample, string? node, long? batchTimestamp, Context context, Where what)
    {
        CheckPod(name, sample.Namespace, node, sample.Uid, sample.OwnerKind, sample.OwnerName, sample.Deployment, what);
        var labels = Labels(sample.Labels, what);
        var values = Values(PodFields.Table, sample, what);

        var containers = new ContainerEntry[sample.Containers?.Count ?? 0];
        for (var i = 0; i < containers.Length; i++)
        {
            var container = sample.Containers![i] ?? throw new SampleException($"{what}: containers[{i}] is null.");
            var where = what.Container(i);
            CheckContainer(container.Name, containers.AsSpan(0, i), where);
            containers[i] = new ContainerEntry(container.Name!, Values(ContainerFields.Table, container, where));
        }

        return new PodEntry(
            sample.Namespace!, name, node, sample.Uid, sample.OwnerKind, sample.OwnerName, sample.Deployment,
            context.Timestamp(sample.Timestamp, batchTimestamp, what), values, containers, labels);
    }

    /// <summary>A pod's names and uid as the contract and Kubernetes take them.</summary>
    internal static void CheckPod(
        string name, [NotNull] string? ns, string? node, string? uid, string? ownerKind, string? ownerName, string? deployment, Where what)
    {
        RequireSubdomain(name, what, "name");
        if (ns is null) throw new SampleException($"{what}: namespace is required.");
        if (!KubernetesNames.IsLabel(ns)) throw new SampleException($"{what}: namespace '{ns}' is not a DNS-1123 label.");
        if (node is not null) RequireSubdomain(node, what, "node");
        if (ownerName is not null) RequireSubdomain(ownerName, what, "ownerName");
        if (deployment is not null) RequireSubdomain(deployment, what, "deployment");
        if (ownerKind is not null && !IsKind(ownerKind)) throw new SampleException($"{what}: ownerKind '{ownerKind}' is not a Kubernetes kind.");
        if (uid is not null && (uid.Length is 0 or > MaxUidLength || uid.AsSpan().ContainsAnyInRange('\0', '\x1f') || uid.AsSpan().ContainsAnyInRange('\x7f', '\x9f')))
        {
            throw new SampleException($"{what}: uid must be 1 to {MaxUidLength} printable characters.");
        }
    }

    /// <summary>A container's name: a DNS-1123 label, not one of the pod's containers before it.</summary>
    internal static void CheckContainer([NotNull] string? name, ReadOnlySpan<ContainerEntry> before, Where where)
    {
        if (!KubernetesNames.IsLabel(name)) throw new SampleException($"{where}: name '{name}' is not a DNS-1123 label.");
        // A pod has a few containers: a scan of those before is cheaper than a set per pod.
        foreach (var other in before)
        {
            if (other.Name == name) throw new SampleException($"{where}: container '{name}' appears twice.");
        }
    }

    /// <summary>Labels checked as the API server checks them (docs/api.md section 6); null when none were sent.</summary>
    internal static LabelSet? Labels(IReadOnlyCollection<KeyValuePair<string, string>>? labels, Where what)
    {
        if (labels is null) return null;
        if (labels.Count > MaxLabels) throw new SampleException($"{what}: {labels.Count} labels, at most {MaxLabels} are taken.");
        foreach (var (key, value) in labels)
        {
            if (!KubernetesLabels.IsKey(key))
            {
                throw new SampleException($"{what}: label key '{key}' is not a Kubernetes label key (an optional DNS-1123 subdomain prefix and '/', then 1 to 63 characters of [A-Za-z0-9._-] starting and ending with a letter or digit).");
            }
            if (!KubernetesLabels.IsValue(value))
            {
                throw new SampleException($"{what}: label '{key}' has the value '{value}', which is not a Kubernetes label value (at most 63 characters of [A-Za-z0-9._-] starting and ending with a letter or digit, or empty).");
            }
        }
        return LabelSet.Of(labels);
    }

    /// <summary>A sample's values in the columns of its field table; each present one checked.</summary>
    private static double[] Values<TSample>(FieldTable<TSample> table, TSample sample, Where what)
    {
        var values = table.EmptyRow();
        for (var column = 0; column < table.Count; column++)
        {
            var field = table.Fields[column];
            if (field.Read(sample) is { } value) values[column] = Checked(value, what, field.PushPath);
        }
        return values;
    }

    /// <summary>
    /// 2^64: no kernel counter or gauge goes past an unsigned 64-bit integer. With every input at
    /// most this, every derived number stays finite: a rate over 1 ms is at most 1.8e22, a sum over
    /// millions of series far below double's 1.8e308.
    /// </summary>
    internal const double MaxValue = 18446744073709551616.0;

    /// <summary>A value the contract takes: a number from 0 to <see cref="MaxValue"/>.</summary>
    internal static bool IsAllowed(double value) => value is >= 0 and <= MaxValue;

    private static double Checked(double value, Where what, string path)
    {
        if (!IsAllowed(value))
        {
            throw new SampleException($"{what}: {path} must be a number from 0 to 2^64, got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
        return value;
    }

    private static void RequireSubdomain(string? name, string what)
    {
        if (!KubernetesNames.IsSubdomain(name)) throw new SampleException($"{what} '{name}' is not a DNS-1123 subdomain.");
    }

    private static void RequireSubdomain(string name, Where where, string field)
    {
        if (!KubernetesNames.IsSubdomain(name)) throw new SampleException($"{where}: {field} '{name}' is not a DNS-1123 subdomain.");
    }

    private static bool IsKind(string kind) =>
        kind.Length is >= 1 and <= 63 && char.IsAsciiLetter(kind[0]) && kind.All(char.IsAsciiLetterOrDigit);

    /// <summary>
    /// The receive time, the latest timestamp accepted and the sender's clock offset, fixed once
    /// per request. Every timestamp of the request is shifted by the offset before it is checked.
    /// With <c>sentAt</c>, a sample is no later than its request: one whose shifted time is after
    /// the receive time (collected before the sender's clock was stepped back, sent after) is
    /// stamped with the receive time rather than freezing its series in the future.
    /// </summary>
    internal sealed class Context(DateTimeOffset now, TimeSpan maxFutureSkew, long offsetMs = 0, bool notAfterReceipt = false)
    {
        public long OffsetMs => offsetMs;

        public long Check(DateTimeOffset timestamp, Where what)
        {
            var shiftedMs = timestamp.ToUnixTimeMilliseconds() + offsetMs;
            var nowMs = now.ToUnixTimeMilliseconds();
            if (shiftedMs > nowMs + (long)maxFutureSkew.TotalMilliseconds)
            {
                var shift = offsetMs == 0 ? "" : $" (shifted by the sender's clock offset of {offsetMs / 1000.0:0.###} s)";
                throw new SampleException($"{what}: timestamp {timestamp.UtcDateTime:O}{shift} is more than {maxFutureSkew.TotalSeconds:0} s ahead of the facade's clock ({now.UtcDateTime:O}).");
            }
            return notAfterReceipt ? Math.Min(shiftedMs, nowMs) : shiftedMs;
        }

        public long Timestamp(DateTimeOffset? own, long? batch, Where what) =>
            own is { } t ? Check(t, what) : batch ?? now.ToUnixTimeMilliseconds();
    }
}

/// <summary>
/// What part of a push is checked, as an error names it (<c>pods[3] ('shop/web-1'): containers[0]</c>):
/// made into text only when something is wrong, not for every pod of every push.
/// </summary>
internal readonly struct Where
{
    private readonly string? _text;
    private readonly int _pod;
    private readonly PodSample? _sample;
    private readonly int _container;

    /// <summary>A part named by a fixed text ("node", "pod 'web-1'").</summary>
    public Where(string text) => (_text, _pod, _container) = (text, -1, -1);

    /// <summary>A batch's <c>pods[index]</c>.</summary>
    public Where(int index, PodSample sample) => (_pod, _sample, _container) = (index, sample, -1);

    private Where(Where pod, int container) => (_text, _pod, _sample, _container) = (pod._text, pod._pod, pod._sample, container);

    /// <summary>The pod's <c>containers[index]</c>.</summary>
    public Where Container(int index) => new(this, index);

    public override string ToString()
    {
        var pod = _text ?? $"pods[{_pod}]" + (_sample?.Name is null ? "" : $" ('{_sample.Namespace}/{_sample.Name}')");
        return _container < 0 ? pod : $"{pod}: containers[{_container}]";
    }
}

/// <summary>A push that breaks the contract; its message names what and where.</summary>
internal sealed class SampleException(string message) : Exception(message);
