using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

/// <summary>
/// The read port over any <see cref="ISampleSource"/>: rates, derived values, deployments, sums and
/// summaries are made here from raw rows, so every source answers with the same definitions.
/// </summary>
internal sealed class MetricsQueries(ISampleSource source, DeploymentResolver deployments, TimeProvider clock) : IMetricsQueries
{
    public TimeSpan MaxWindow => source.MaxWindow;

    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<IReadOnlyList<NodeResult>> NodesAsync(CancellationToken cancellationToken = default) =>
        [.. (await source.NodesAsync(NowMs, LatestRows.PreviousRow, cancellationToken)).Select(Node)];

    public async Task<NodeResult?> NodeAsync(string name, CancellationToken cancellationToken = default) =>
        await source.NodeAsync(name, NowMs, LatestRows.PreviousRow, cancellationToken) is { } node ? Node(node) : null;

    public async Task<Windowed?> NodeSeriesAsync(string name, QueryWindow window, CancellationToken cancellationToken = default)
    {
        var (fromMs, nowMs) = Range(window);
        if (await source.NodeRowsAsync(name, fromMs, nowMs, cancellationToken) is not { } rows) return null;
        var points = EntityViews.Node.Points(rows, fromMs);
        if (source.StepsEverySeries) points = LastPerStep(points, window.StepSeconds);
        return Windowed(fromMs, nowMs, window, points, EntityViews.Node.Values);
    }

    public async Task<IEnumerable<PodResult>> PodsAsync(PodSelector selector, CancellationToken cancellationToken = default) =>
        (await source.PodsAsync(selector, NowMs, LatestRows.PreviousRow, cancellationToken)).Select(Pod);

    public async Task<PodResultPage> PodsPageAsync(
        PodSelector selector, string? deployment, PodOrder order, PodPosition? after, int limit, CancellationToken cancellationToken = default)
    {
        if (order.IsByKey && deployment is null)
        {
            // The sources' own order: they seek to the cursor rather than reading every pod.
            var page = await source.PodsPageAsync(selector, NowMs, after?.Key, limit, cancellationToken);
            return new PodResultPage([.. page.Items.Select(Pod)], page.More);
        }
        // One pass over the matching pods, keeping the page (and one more, to tell whether more
        // follow); a pod's values are computed into one buffer, and only kept pods become results.
        var top = new TopPods<(PodLatest Pod, string? Deployment)>(order, after, limit + 1);
        var values = new double[EntityViews.Pod.Count];
        foreach (var pod in await source.PodsAsync(selector, NowMs, LatestRows.PreviousRow, cancellationToken))
        {
            var resolved = DeploymentOf(pod.Pod);
            if (deployment is not null && resolved != deployment) continue;
            if (!order.IsByKey && !order.IsText) EntityViews.Pod.Compute(pod.Rows.PreviousMs, pod.Rows.Previous, pod.Rows.TimestampMs, pod.Rows.Values, values);
            var position = new PodPosition(order.ValueOf(pod.Pod, resolved, values), pod.Pod.Key);
            if (top.Wants(position)) top.Add(position, (pod, resolved));
        }
        var kept = top.TakeInOrder();
        var more = kept.Count > limit;
        return new PodResultPage([.. kept.Take(limit).Select(k => Pod(k.Pod, k.Deployment))], more);
    }

    public async Task<PodWindow?> PodSeriesAsync(PodKey pod, QueryWindow window, CancellationToken cancellationToken = default)
    {
        var (fromMs, nowMs) = Range(window);
        if (await source.PodRowsAsync(pod, fromMs, nowMs, cancellationToken) is not { } rows) return null;
        var points = EntityViews.Pod.Points(rows.Rows, fromMs);
        if (source.StepsEverySeries) points = LastPerStep(points, window.StepSeconds);
        var containerPoints = rows.Containers.Select(c => (c.Name, Points: EntityViews.Container.Points(c.Rows, fromMs))).ToList();
        return new PodWindow(
            Pod(rows.Latest),
            Windowed(fromMs, nowMs, window, points, EntityViews.Pod.Values),
            ContainersAt(points, containerPoints));
    }

    public async Task<IReadOnlyList<GroupResult>> NamespacesAsync(CancellationToken cancellationToken = default)
    {
        var pods = await source.PodsAsync(new PodSelector(), NowMs, LatestRows.PreviousRow, cancellationToken);
        // Pods come in namespace order: one namespace after another, no sort, one namespace held
        // at a time. Each pod's values go into one buffer and on into the sums: no pod or
        // container view is made (the page refreshes this list of every pod every few seconds).
        var groups = new List<GroupResult>();
        var values = new double[EntityViews.Pod.Count];
        var (ns, names, sums) = ((string?)null, new List<string>(), EntityViews.Rollup.NewSums());
        foreach (var pod in pods)
        {
            if (ns is not null && pod.Pod.Namespace != ns)
            {
                groups.Add(new GroupResult(ns, names, sums));
                (names, sums) = (new List<string>(), EntityViews.Rollup.NewSums());
            }
            ns = pod.Pod.Namespace;
            EntityViews.Pod.Compute(pod.Rows.PreviousMs, pod.Rows.Previous, pod.Rows.TimestampMs, pod.Rows.Values, values);
            EntityViews.Rollup.Add(sums, values);
            names.Add(pod.Pod.Name);
        }
        if (ns is not null) groups.Add(new GroupResult(ns, names, sums));
        return groups;
    }

    public async Task<GroupResult?> NamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var pods = (await source.PodsAsync(new PodSelector(Namespace: @namespace), NowMs, LatestRows.PreviousRow, cancellationToken)).Select(Pod).ToList();
        return pods.Count == 0 ? null : Group(@namespace, pods);
    }

    public Task<Windowed?> NamespaceSeriesAsync(string @namespace, QueryWindow window, CancellationToken cancellationToken = default) =>
        SumStepsAsync(new PodSelector(Namespace: @namespace), static _ => true, window, cancellationToken);

    public async Task<IReadOnlyList<GroupResult>?> DeploymentsAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var pods = (await source.PodsAsync(new PodSelector(Namespace: @namespace), NowMs, LatestRows.PreviousRow, cancellationToken)).Select(Pod).ToList();
        if (pods.Count == 0) return null;
        return [.. pods.Where(p => p.Deployment is not null)
            .GroupBy(p => p.Deployment!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Group(g.Key, [.. g]))];
    }

    public async Task<GroupResult?> DeploymentAsync(string @namespace, string deployment, CancellationToken cancellationToken = default)
    {
        var pods = (await source.PodsAsync(new PodSelector(Namespace: @namespace), NowMs, LatestRows.PreviousRow, cancellationToken))
            .Where(p => DeploymentOf(p.Pod) == deployment).Select(Pod).ToList();
        return pods.Count == 0 ? null : Group(deployment, pods);
    }

    public Task<Windowed?> DeploymentSeriesAsync(string @namespace, string deployment, QueryWindow window, CancellationToken cancellationToken = default) =>
        SumStepsAsync(new PodSelector(Namespace: @namespace), pod => DeploymentOf(pod) == deployment, window, cancellationToken);

    public async Task<IReadOnlyList<NodeUsage>> NodeUsagesAsync(string? name, TimeSpan rateSpan, CancellationToken cancellationToken = default)
    {
        var spanMs = (long)rateSpan.TotalMilliseconds;
        IReadOnlyList<NodeLatest> nodes = name is null
            ? await source.NodesAsync(NowMs, spanMs, cancellationToken)
            : await source.NodeAsync(name, NowMs, spanMs, cancellationToken) is { } node ? [node] : [];
        return [.. nodes.Select(n => new NodeUsage(n.Name, n.Labels, UsageOf(EntityViews.Node, n.Rows, NodeMemory)))];
    }

    public async Task<IEnumerable<PodUsage>> PodUsagesAsync(PodSelector selector, TimeSpan rateSpan, CancellationToken cancellationToken = default) =>
        (await source.PodsAsync(selector, NowMs, (long)rateSpan.TotalMilliseconds, cancellationToken)).Select(pod => new PodUsage(
            pod.Pod,
            UsageOf(EntityViews.Pod, pod.Rows, WorkingSet),
            [.. pod.Containers.Select(c => new ContainerUsage(c.Name, UsageOf(EntityViews.Container, c.Rows, WorkingSet)))]));

    /// <summary>What memory a node's usage shows: its used bytes (docs/api.md section 7), a pod's or container's its working set.</summary>
    private const string NodeMemory = "memory.usedBytes", WorkingSet = "memory.workingSetBytes";

    private static Usage UsageOf(ViewTable table, LatestRows rows, string memoryPath)
    {
        var values = table.Latest(rows).Values;
        return new Usage(rows.Previous is null ? 0 : rows.PreviousMs, rows.TimestampMs, values[table.Index("cpu.usageCores")], values[table.Index(memoryPath)]);
    }

    /// <summary>The pods' step sums over the window; null when no live pod matches.</summary>
    private async Task<Windowed?> SumStepsAsync(PodSelector selector, Func<PodIdentity, bool> keep, QueryWindow window, CancellationToken cancellationToken)
    {
        var (fromMs, nowMs) = Range(window);
        var parts = new List<StepSums>();
        StepSums NewPart()
        {
            var part = new StepSums(fromMs, nowMs, window.StepSeconds);
            lock (parts) parts.Add(part);
            return part;
        }
        if (await source.ReadPodRowsAsync(selector, keep, fromMs, nowMs, NewPart, cancellationToken) == 0) return null;
        // Parts add in the order they were made: the same pods give the same sums.
        var total = parts[0];
        foreach (var part in parts.Skip(1)) total.Add(part);
        return Windowed(fromMs, nowMs, window, total.Points(), EntityViews.Rollup.Values);
    }

    private (long FromMs, long NowMs) Range(QueryWindow window)
    {
        var nowMs = NowMs;
        return (nowMs - window.WindowSeconds * 1000L, nowMs);
    }

    private static Windowed Windowed(long fromMs, long nowMs, QueryWindow window, IReadOnlyList<Point> points, IReadOnlyList<ViewValue> values) =>
        new(fromMs, nowMs, window.StepSeconds, points, Summaries.Of(points, values));

    /// <summary>Each step's last point (steps start at multiples of the step since the Unix epoch; sample times are after it); its rates still span its own previous sample.</summary>
    private static List<Point> LastPerStep(List<Point> points, int stepSeconds)
    {
        var stepMs = stepSeconds * 1000L;
        var kept = new List<Point>();
        for (var i = 0; i < points.Count; i++)
        {
            var isLastOfStep = i + 1 == points.Count || points[i + 1].TimestampMs / stepMs != points[i].TimestampMs / stepMs;
            if (isLastOfStep) kept.Add(points[i]);
        }
        return kept;
    }

    private static NodeResult Node(NodeLatest node) => new(node.Name, EntityViews.Node.Latest(node.Rows), node.Labels);

    private PodResult Pod(PodLatest pod) => Pod(pod, DeploymentOf(pod.Pod));

    private static PodResult Pod(PodLatest pod, string? deployment) => new(
        pod.Pod, deployment, EntityViews.Pod.Latest(pod.Rows),
        [.. pod.Containers.Select(c => new ContainerResult(c.Name, EntityViews.Container.Latest(c.Rows)))]);

    private string? DeploymentOf(PodIdentity pod) => deployments.Resolve(pod.Namespace, pod.Deployment, pod.OwnerKind, pod.OwnerName);

    private static GroupResult Group(string name, IReadOnlyList<PodResult> pods)
    {
        var sums = EntityViews.Rollup.NewSums();
        foreach (var pod in pods) EntityViews.Rollup.Add(sums, pod.Latest.Values);
        return new GroupResult(name, [.. pods.Select(p => p.Pod.Name)], sums);
    }

    /// <summary>For each of the pod's points, the containers that had a sample at its time (each container's cursor only moves forward).</summary>
    private static List<IReadOnlyList<ContainerResult>> ContainersAt(List<Point> points, List<(string Name, List<Point> Points)> containers)
    {
        var cursors = new int[containers.Count];
        var result = new List<IReadOnlyList<ContainerResult>>(points.Count);
        foreach (var point in points)
        {
            var at = new List<ContainerResult>(containers.Count);
            for (var c = 0; c < containers.Count; c++)
            {
                var own = containers[c].Points;
                while (cursors[c] < own.Count && own[cursors[c]].TimestampMs < point.TimestampMs) cursors[c]++;
                if (cursors[c] < own.Count && own[cursors[c]].TimestampMs == point.TimestampMs) at.Add(new ContainerResult(containers[c].Name, own[cursors[c]]));
            }
            result.Add(at);
        }
        return result;
    }
}
