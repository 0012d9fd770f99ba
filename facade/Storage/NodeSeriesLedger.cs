namespace KubeMonitor.Facade.Storage;

/// <summary>
/// How many series each node holds: its own, its pods' and their containers'. A pod pushed
/// without a node (the seed endpoint) is charged to <see cref="NoNode"/>. Used only under the
/// store's structure lock, so counts and quota checks are exact.
/// </summary>
internal sealed class NodeSeriesLedger(int maxSeriesPerNode)
{
    /// <summary>The payer of pods that name no node.</summary>
    public const string NoNode = "";

    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);

    public int MaxSeriesPerNode { get; } = maxSeriesPerNode;

    public static string Payer(string? node) => node ?? NoNode;

    public int Held(string node) => _held.GetValueOrDefault(node);

    public void Release(string node, int series)
    {
        if (series == 0) return;
        var left = _held.GetValueOrDefault(node) - series;
        if (left > 0) _held[node] = left;
        else _held.Remove(node);
    }

    public void Charge(string node, int series)
    {
        if (series != 0) _held[node] = _held.GetValueOrDefault(node) + series;
    }

    /// <summary>What one push would add to each node, checked against the quota before anything is created.</summary>
    public sealed class Plan(NodeSeriesLedger ledger)
    {
        private readonly Dictionary<string, int> _new = new(StringComparer.Ordinal);
        private readonly List<(IChargedPod Pod, string To)> _moves = [];

        /// <summary>New series in this push (moves are not new).</summary>
        public int NewSeries { get; private set; }

        public void AddNew(string payer, int series)
        {
            _new[payer] = _new.GetValueOrDefault(payer) + series;
            NewSeries += series;
        }

        /// <summary>Past the global cap the new series are left out; moves of existing pods still happen.</summary>
        public void ForgetNew()
        {
            _new.Clear();
            NewSeries = 0;
        }

        /// <summary>A pod now on another node: its series and its containers' go with it.</summary>
        public void Move(IChargedPod pod, string to)
        {
            if (!_moves.Any(m => ReferenceEquals(m.Pod, pod))) _moves.Add((pod, to));
        }

        /// <summary>The node that pays for a pod's new containers: where the pod is moving, else where it is.</summary>
        public string PayerOf(IChargedPod pod)
        {
            foreach (var move in _moves)
            {
                if (ReferenceEquals(move.Pod, pod)) return move.To;
            }
            return pod.ChargedNode;
        }

        /// <summary>The first node (by name) that this push would take past its quota, or null.</summary>
        public string? NodeOverQuota() =>
            Changes().Where(c => c.Value > 0 && ledger.Held(c.Key) + c.Value > ledger.MaxSeriesPerNode)
                .Select(c => c.Key).Order(StringComparer.Ordinal).FirstOrDefault();

        /// <summary>Charges the new series and moves the pods; returns how many pods moved.</summary>
        public int Apply()
        {
            foreach (var (node, change) in Changes())
            {
                if (change > 0) ledger.Charge(node, change);
                else ledger.Release(node, -change);
            }
            foreach (var (pod, to) in _moves) pod.ChargedNode = to;
            return _moves.Count;
        }

        /// <summary>Per node: its new series, plus the series of pods moving in, minus those moving out.</summary>
        private Dictionary<string, int> Changes()
        {
            var changes = new Dictionary<string, int>(_new, StringComparer.Ordinal);
            foreach (var (pod, to) in _moves)
            {
                var series = 1 + pod.ContainerCount;
                changes[pod.ChargedNode] = changes.GetValueOrDefault(pod.ChargedNode) - series;
                changes[to] = changes.GetValueOrDefault(to) + series;
            }
            return changes;
        }
    }
}

/// <summary>A pod as the ledger sees it: the node it is charged to and how many containers it holds.</summary>
internal interface IChargedPod
{
    string ChargedNode { get; set; }

    int ContainerCount { get; }
}
