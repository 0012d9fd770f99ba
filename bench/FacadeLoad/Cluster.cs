using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace KubeMonitor.FacadeLoad;

/// <summary>
/// A simulated cluster whose counters move like real ones: pods with a steady CPU share that
/// wanders from tick to tick, memory that drifts, disk and network counters that grow in bursts,
/// and now and then a restart that resets every counter of a pod. Node totals are sums of their
/// pods plus system overhead. Deterministic for a seed, so runs are comparable.
/// </summary>
internal sealed class Cluster
{
    public const int DefaultBigNamespaceStride = 15;
    private const string BulkNamespace = "bulk";
    public const int PodsPerDeployment = 50;
    private const int TeamNamespaces = 20;
    private const double ResetChancePerTick = 1.0 / 5000; // a restart about every 7 hours per pod

    private readonly int _podsPerNode;
    private readonly Random[] _nodeRandoms; // one per node: batches are written in parallel, yet every run is the same
    private readonly string[] _nodeNames;
    private readonly Pod[] _pods;
    private readonly double[] _nodeCpu, _nodeDiskRead, _nodeDiskWrite, _nodeRx, _nodeTx;
    private readonly TickSums[] _tickSums; // what a node's pods added in the parts of its batch written so far

    /// <param name="nodePrefix">Nodes are named <c>{nodePrefix}-00000</c> and on.</param>
    /// <param name="namespacePrefix">Put before every namespace name, so that a second cluster can share a facade without sharing namespaces.</param>
    /// <param name="bigNamespaceStride">Every this many pods one is in the big namespace; 1 puts every pod there.</param>
    /// <param name="withLabels">Pods carry Kubernetes labels in their samples (<c>app</c>, <c>release</c>: see <see cref="ReleaseOf"/>); off by default, so that the other modes push what they always pushed.</param>
    public Cluster(
        int nodes, int podsPerNode, int seed, string nodePrefix = "node", string namespacePrefix = "", int bigNamespaceStride = DefaultBigNamespaceStride, bool withLabels = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bigNamespaceStride);
        _podsPerNode = podsPerNode;
        BigNamespaceStride = bigNamespaceStride;
        BigNamespace = namespacePrefix + BulkNamespace;
        var random = new Random(seed);
        _nodeRandoms = new Random[nodes];
        _nodeNames = new string[nodes];
        _nodeCpu = new double[nodes];
        _nodeDiskRead = new double[nodes];
        _nodeDiskWrite = new double[nodes];
        _nodeRx = new double[nodes];
        _nodeTx = new double[nodes];
        _tickSums = new TickSums[nodes];
        for (var n = 0; n < nodes; n++)
        {
            _nodeNames[n] = string.Create(CultureInfo.InvariantCulture, $"{nodePrefix}-{n:D5}");
            _nodeRandoms[n] = new Random(random.Next());
            _nodeCpu[n] = random.Next(10_000, 1_000_000);
            _nodeDiskRead[n] = random.NextInt64(1L << 30, 1L << 40);
            _nodeDiskWrite[n] = random.NextInt64(1L << 30, 1L << 40);
            _nodeRx[n] = random.NextInt64(1L << 30, 1L << 40);
            _nodeTx[n] = random.NextInt64(1L << 30, 1L << 40);
        }

        // Pods are numbered node-major; namespaces and deployments are laid across nodes, as a
        // scheduler spreads replicas. 1 in 10 pods is a StatefulSet's (no deployment).
        _pods = new Pod[nodes * podsPerNode];
        var perNamespace = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _pods.Length; i++)
        {
            var ns = i % BigNamespaceStride == 0
                ? BigNamespace
                : string.Create(CultureInfo.InvariantCulture, $"{namespacePrefix}team-{i % TeamNamespaces:D2}");
            var local = perNamespace.GetValueOrDefault(ns);
            perNamespace[ns] = local + 1;
            _pods[i] = new Pod(ns, local, random, withLabels);
        }
    }

    /// <summary>The namespace that holds every <see cref="BigNamespaceStride"/>th pod (10,000 of 150,000 by default).</summary>
    public string BigNamespace { get; }

    public int BigNamespaceStride { get; }

    public int NodeCount => _nodeNames.Length;

    public int PodsPerNode => _podsPerNode;

    public int PodCount => _pods.Length;

    public string NodeName(int node) => _nodeNames[node];

    /// <summary>A pod for the single-pod query: (namespace, name).</summary>
    public (string Namespace, string Name) PodAt(int index) => (_pods[index].Namespace, _pods[index].Name);

    /// <summary>The deployment of the big namespace that the deployment query reads.</summary>
    public static string DeploymentOf(int localIndex) => string.Create(CultureInfo.InvariantCulture, $"app-{localIndex / PodsPerDeployment:D4}");

    /// <summary>
    /// The <c>release</c> label of a pod with this index in its namespace: 100 pods in a row (two
    /// deployments of 45 pods and two StatefulSets of 5, as one Helm release), so that a label
    /// selector picks 100 pods of a namespace, as an HPA's selector picks its target's pods.
    /// </summary>
    public static string ReleaseOf(int localIndex) => string.Create(CultureInfo.InvariantCulture, $"rel-{localIndex / PodsPerRelease:D4}");

    public const int PodsPerRelease = 2 * PodsPerDeployment;

    /// <summary>
    /// Pods (of namespace <paramref name="ns"/> and release <paramref name="release"/>, when given)
    /// that did not restart in their last tick: those whose CPU has a rate over the two newest samples,
    /// which is what metrics.k8s.io lists (a counter that went back has none, as with metrics-server).
    /// </summary>
    public int PodsWithRate(string? ns = null, string? release = null) =>
        _pods.Count(p => !p.RestartedLastTick && (ns is null || p.Namespace == ns) && (release is null || p.Release == release));

    /// <summary>
    /// The information one tick of <paramref name="seconds"/> adds to a pod's columns, in bits,
    /// averaged over the pods: the entropy of the random draws behind each (a uniform draw among
    /// N values holds log2 N bits). The working set and the containers' values are computed from
    /// the pod's memory and CPU, so they add none; restarts add 0.003 bits. No store can keep the
    /// values losslessly in fewer bits on average (StorageBench --generated sets the store's beside them).
    /// </summary>
    public (double Cpu, double Memory, double Read, double Write, double Rx, double Tx) InformationPerTick(double seconds)
    {
        double cpu = 0, memory = 0, read = 0, write = 0, rx = 0, tx = 0;
        foreach (var pod in _pods)
        {
            var bits = pod.InformationPerTick(seconds);
            cpu += bits.Cpu; memory += bits.Memory; read += bits.Read; write += bits.Write; rx += bits.Rx; tx += bits.Tx;
        }
        var n = _pods.Length;
        return (cpu / n, memory / n, read / n, write / n, rx / n, tx / n);
    }

    /// <summary>Advances node <paramref name="node"/> and its pods by one tick and writes its batch.</summary>
    public void WriteBatch(int node, DateTimeOffset timestamp, double seconds, IBufferWriter<byte> output) =>
        WriteBatchPart(node, 0, 1, timestamp, seconds, output);

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of node <paramref name="node"/>'s batch
    /// for one tick, as an exporter splits a node with too many pods for one request: the parts
    /// hold the node's pods in order and the last one also the node. Write every part of a tick,
    /// in order, before the next tick.
    /// </summary>
    public void WriteBatchPart(int node, int part, int parts, DateTimeOffset timestamp, double seconds, IBufferWriter<byte> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(part);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(part, parts);
        var random = _nodeRandoms[node];
        ref var sums = ref _tickSums[node];
        if (part == 0) sums = default;
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("timestamp", timestamp);
        json.WriteStartArray("pods");
        var first = node * _podsPerNode;
        for (var p = first + part * _podsPerNode / parts; p < first + (part + 1) * _podsPerNode / parts; p++)
        {
            var pod = _pods[p];
            var (dCpu, dRead, dWrite, dRx, dTx) = pod.Advance(seconds, random);
            sums.Cpu += dCpu; sums.Read += dRead; sums.Write += dWrite; sums.Rx += dRx; sums.Tx += dTx;
            sums.Memory += pod.UsageBytes;
            pod.Write(json);
        }
        json.WriteEndArray();
        if (part == parts - 1) WriteNode(json, node, seconds, sums, random);
        json.WriteEndObject();
    }

    private void WriteNode(Utf8JsonWriter json, int node, double seconds, TickSums sums, Random random)
    {
        // The node: its pods' work plus 0.2 to 0.4 cores of system time; 16 cores, 64 GiB.
        _nodeCpu[node] = Math.Round(_nodeCpu[node] + sums.Cpu + seconds * (0.2 + 0.2 * random.NextDouble()), 2);
        _nodeDiskRead[node] += Math.Round(sums.Read);
        _nodeDiskWrite[node] += Math.Round(sums.Write);
        _nodeRx[node] += Math.Round(sums.Rx);
        _nodeTx[node] += Math.Round(sums.Tx);
        const double Total = 64L << 30;
        var used = Math.Min(Total, Math.Round(sums.Memory / 4096) * 4096 + (2L << 30));
        json.WriteStartObject("node");
        json.WriteStartObject("cpu");
        json.WriteNumber("usageSecondsTotal", _nodeCpu[node]);
        json.WriteNumber("capacityCores", 16);
        json.WriteEndObject();
        json.WriteStartObject("memory");
        json.WriteNumber("totalBytes", Total);
        json.WriteNumber("availableBytes", Total - used);
        json.WriteNumber("usedBytes", used);
        json.WriteEndObject();
        WritePair(json, "disk", "readBytesTotal", _nodeDiskRead[node], "writeBytesTotal", _nodeDiskWrite[node]);
        WritePair(json, "network", "rxBytesTotal", _nodeRx[node], "txBytesTotal", _nodeTx[node]);
        json.WriteEndObject();
    }

    /// <summary>What a node's pods added to each counter this tick, and their memory.</summary>
    private struct TickSums
    {
        public double Cpu, Read, Write, Rx, Tx, Memory;
    }

    private static void WritePair(Utf8JsonWriter json, string section, string first, double firstValue, string second, double secondValue)
    {
        json.WriteStartObject(section);
        json.WriteNumber(first, firstValue);
        json.WriteNumber(second, secondValue);
        json.WriteEndObject();
    }

    private sealed class Pod
    {
        private static readonly string[] Suffixes = ["app", "sidecar"];
        private readonly string _uid;
        private readonly string? _deployment;
        private readonly string _ownerKind, _ownerName;
        private readonly double _cores;        // mean CPU use
        private readonly double _memoryBase;   // bytes the pod settles around
        private readonly double _ioRate, _netRate;
        private readonly int _containers;
        private double _cpu, _read, _write, _rx, _tx, _memory;
        private readonly double[] _containerCpu;
        private readonly double _sidecarShare;
        private readonly (string App, string Release)? _labels;

        public Pod(string ns, int local, Random random, bool withLabels)
        {
            Namespace = ns;
            var template = random.Next(0x1000000, 0x7ffffff).ToString("x7", CultureInfo.InvariantCulture);
            var instance = random.Next(0x1000000, 0x7ffffff).ToString("x7", CultureInfo.InvariantCulture)[2..];
            if (local % 10 == 9)
            {
                _ownerKind = "StatefulSet";
                _ownerName = string.Create(CultureInfo.InvariantCulture, $"db-{local / PodsPerDeployment:D4}");
                Name = string.Create(CultureInfo.InvariantCulture, $"{_ownerName}-{local}");
            }
            else
            {
                _deployment = DeploymentOf(local);
                _ownerKind = "ReplicaSet";
                _ownerName = $"{_deployment}-{template}";
                Name = $"{_ownerName}-{instance}{local % 100:D2}";
            }
            _uid = Guid.CreateVersion7().ToString();
            // Labels take nothing from the random sequence: with or without them the cluster moves the same.
            if (withLabels) _labels = (_deployment ?? _ownerName, ReleaseOf(local));
            // Most pods are nearly idle, a few are busy: a long tail like real clusters.
            _cores = Math.Round(0.005 + 1.5 * Math.Pow(random.NextDouble(), 4), 4);
            _memoryBase = random.NextInt64(20L << 20, 2L << 30);
            _ioRate = random.NextDouble() < 0.3 ? random.Next(1, 5_000_000) : 0;
            _netRate = random.Next(100, 2_000_000);
            _containers = local % 3 == 0 ? 2 : 1;
            _containerCpu = new double[_containers];
            _sidecarShare = 0.05 + 0.1 * random.NextDouble();
            _memory = _memoryBase;
            _cpu = random.NextDouble() * 10_000;
            _containerCpu[0] = _cpu * (_containers == 2 ? 1 - _sidecarShare : 0.97);
            if (_containers == 2) _containerCpu[1] = _cpu * _sidecarShare * 0.97;
        }

        public string Namespace { get; }

        public string Name { get; }

        public double UsageBytes => _memory;

        public string? Release => _labels?.Release;

        /// <summary>Whether the last <see cref="Advance"/> reset the counters.</summary>
        public bool RestartedLastTick { get; private set; }

        /// <summary>The entropy of <see cref="Advance"/>'s draws for each column (see <see cref="Cluster.InformationPerTick"/>).</summary>
        public (double Cpu, double Memory, double Read, double Write, double Rx, double Tx) InformationPerTick(double seconds)
        {
            static double Uniform(double values) => values > 1 ? Math.Log2(values) : 0;
            static double Either(double p) => -(p * Math.Log2(p) + (1 - p) * Math.Log2(1 - p));
            // A burst of disk I/O in a tick with chance p: whether it came, and if so how many pages.
            double Burst(double p) => _ioRate == 0 ? 0 : Either(p) + p * Uniform(_ioRate * seconds * 2 / 4096);
            return (
                Uniform(_cores * seconds * 1e6),              // microseconds of a uniform share of the mean
                Uniform(_memoryBase * 0.02 / 4096),           // pages of a wander of 2 % of the base
                Burst(0.2),
                Burst(0.5),
                Uniform(_netRate * seconds),
                Uniform(_netRate * seconds * 0.6));
        }

        /// <summary>One tick: returns what the pod added to each counter (for the node's totals).</summary>
        public (double Cpu, double Read, double Write, double Rx, double Tx) Advance(double seconds, Random random)
        {
            RestartedLastTick = random.NextDouble() < ResetChancePerTick;
            if (RestartedLastTick)
            {
                // A restart: a new cgroup, counters from zero.
                _cpu = _read = _write = _rx = _tx = 0;
                Array.Clear(_containerCpu);
                _memory = _memoryBase * 0.3;
            }
            var cpu = Math.Round(_cores * seconds * (0.5 + random.NextDouble()), 6);
            var read = random.NextDouble() < 0.2 ? Math.Round(_ioRate * seconds * 2 * random.NextDouble() / 4096) * 4096 : 0;
            var write = random.NextDouble() < 0.5 ? Math.Round(_ioRate * seconds * 2 * random.NextDouble() / 4096) * 4096 : 0;
            var rx = Math.Round(_netRate * seconds * (0.5 + random.NextDouble()));
            var tx = Math.Round(_netRate * seconds * 0.6 * (0.5 + random.NextDouble()));
            _cpu = Math.Round(_cpu + cpu, 6);
            _read += read; _write += write; _rx += rx; _tx += tx;
            // Memory pulls back toward its base and wanders by pages.
            _memory = Math.Max(4096, Math.Round((_memory + (_memoryBase - _memory) * 0.05 + _memoryBase * 0.02 * (random.NextDouble() - 0.5)) / 4096) * 4096);
            var share = _containers == 2 ? 1 - _sidecarShare : 0.97; // the sandbox uses the rest
            _containerCpu[0] = Math.Round(_containerCpu[0] + cpu * share, 6);
            if (_containers == 2) _containerCpu[1] = Math.Round(_containerCpu[1] + cpu * _sidecarShare * 0.97, 6);
            return (cpu, read, write, rx, tx);
        }

        public void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("name", Name);
            json.WriteString("namespace", Namespace);
            json.WriteString("uid", _uid);
            json.WriteString("ownerKind", _ownerKind);
            json.WriteString("ownerName", _ownerName);
            if (_deployment is not null) json.WriteString("deployment", _deployment);
            if (_labels is { } labels)
            {
                json.WriteStartObject("labels");
                json.WriteString("app", labels.App);
                json.WriteString("release", labels.Release);
                json.WriteEndObject();
            }
            json.WriteStartObject("cpu");
            json.WriteNumber("usageSecondsTotal", _cpu);
            json.WriteEndObject();
            var inactive = Math.Round(_memory * 0.15 / 4096) * 4096;
            json.WriteStartObject("memory");
            json.WriteNumber("usageBytes", _memory);
            json.WriteNumber("workingSetBytes", _memory - inactive);
            json.WriteEndObject();
            WritePair(json, "disk", "readBytesTotal", _read, "writeBytesTotal", _write);
            WritePair(json, "network", "rxBytesTotal", _rx, "txBytesTotal", _tx);
            json.WriteStartArray("containers");
            for (var c = 0; c < _containers; c++)
            {
                json.WriteStartObject();
                json.WriteString("name", Suffixes[c]);
                json.WriteStartObject("cpu");
                json.WriteNumber("usageSecondsTotal", _containerCpu[c]);
                json.WriteEndObject();
                json.WriteStartObject("memory");
                json.WriteNumber("workingSetBytes", Math.Round((_memory - inactive) * (c == 0 ? 0.9 : 0.08) / 4096) * 4096);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }
}
