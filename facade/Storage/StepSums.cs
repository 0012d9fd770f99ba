using KubeMonitor.Facade.Queries;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Namespace and deployment series: per step of the window, the sum over pods of each pod's last
/// sample in that step (docs/api.md section 3). Steps start at multiples of the step since the Unix
/// epoch. Dense arrays, no object per sample: a rollup over 10,000 pods stays cheap.
/// </summary>
internal sealed class StepSums
{
    // The summed fields, in this order: cpu cores, working set, usage, disk read/write, network rx/tx.
    private const int Fields = 7;
    /// <summary>Up to this many steps, one slot per step; beyond (a long retention, step=1) slots only for steps with samples.</summary>
    private const long MaxDenseSteps = 1 << 16;
    private readonly long _stepMs;
    private readonly long _firstStepMs;
    private readonly Dictionary<long, int>? _sparseSlots; // step index -> slot; null when dense
    private double[] _sums;   // per slot, Fields values; NaN: no pod has a value for this field in this step
    private int[] _samples;   // per slot
    private long[] _slotSteps; // per slot, its step index

    public StepSums(long fromMs, long toMs, int stepSeconds)
    {
        _stepMs = stepSeconds * 1000L;
        _firstStepMs = StepStart(fromMs);
        var steps = (StepStart(toMs) - _firstStepMs) / _stepMs + 1;
        var slots = (int)Math.Min(steps, MaxDenseSteps);
        if (steps > MaxDenseSteps) _sparseSlots = [];
        _sums = new double[slots * Fields];
        Array.Fill(_sums, double.NaN);
        _samples = new int[slots];
        _slotSteps = new long[slots];
        for (var i = 0; _sparseSlots is null && i < slots; i++) _slotSteps[i] = i;
    }

    private int Slot(long step)
    {
        if (_sparseSlots is null) return (int)step;
        if (_sparseSlots.TryGetValue(step, out var slot)) return slot;
        slot = _sparseSlots.Count;
        if (slot == _samples.Length)
        {
            var grown = slot * 2;
            Array.Resize(ref _samples, grown);
            Array.Resize(ref _slotSteps, grown);
            var oldLength = _sums.Length;
            Array.Resize(ref _sums, grown * Fields);
            _sums.AsSpan(oldLength).Fill(double.NaN);
        }
        _sparseSlots[step] = slot;
        _slotSteps[slot] = step;
        return slot;
    }

    public long StepStart(long timestampMs) => timestampMs - (((timestampMs % _stepMs) + _stepMs) % _stepMs);

    /// <summary>
    /// Adds one pod's rows (row-major, <see cref="PodFields.Count"/> values each, the first possibly
    /// before <paramref name="fromMs"/> as the base of the first rate): its last row in each step counts.
    /// </summary>
    public void AddPod(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values, long fromMs)
    {
        for (var i = 0; i < timestamps.Length; i++)
        {
            var t = timestamps[i];
            if (t < fromMs) continue;
            var stepStart = StepStart(t);
            if (i + 1 < timestamps.Length && timestamps[i + 1] < stepStart + _stepMs) continue; // not the pod's last in this step
            var slot = Slot((stepStart - _firstStepMs) / _stepMs);
            var current = values.Slice(i * PodFields.Count, PodFields.Count);
            var previous = i > 0 ? values.Slice((i - 1) * PodFields.Count, PodFields.Count) : default;
            var previousMs = i > 0 ? timestamps[i - 1] : 0;
            var sums = _sums.AsSpan(slot * Fields, Fields);
            Add(ref sums[0], RateOf(previousMs, previous, t, current, PodFields.CpuSecondsTotal));
            Add(ref sums[1], current[PodFields.MemoryWorkingSetBytes]);
            Add(ref sums[2], current[PodFields.MemoryUsageBytes]);
            Add(ref sums[3], RateOf(previousMs, previous, t, current, PodFields.DiskReadBytesTotal));
            Add(ref sums[4], RateOf(previousMs, previous, t, current, PodFields.DiskWriteBytesTotal));
            Add(ref sums[5], RateOf(previousMs, previous, t, current, PodFields.NetworkRxBytesTotal));
            Add(ref sums[6], RateOf(previousMs, previous, t, current, PodFields.NetworkTxBytesTotal));
            _samples[slot]++;
        }
    }

    /// <summary>
    /// Adds the sums of another part of the pods over the same window and step (the parts of a
    /// parallel rollup): per step, each field's sums add, and a field stays null only if it is
    /// null in both.
    /// </summary>
    public void Add(StepSums other)
    {
        if (other._stepMs != _stepMs || other._firstStepMs != _firstStepMs) throw new ArgumentException("Only sums of the same window and step add up.", nameof(other));
        for (var theirs = 0; theirs < other._samples.Length; theirs++)
        {
            if (other._samples[theirs] == 0) continue;
            var mine = Slot(other._slotSteps[theirs]);
            var sums = _sums.AsSpan(mine * Fields, Fields);
            var added = other._sums.AsSpan(theirs * Fields, Fields);
            for (var f = 0; f < Fields; f++) Add(ref sums[f], added[f]);
            _samples[mine] += other._samples[theirs];
        }
    }

    /// <summary>The steps that had samples, oldest first, labelled by their start.</summary>
    public List<AggregatePoint> Points()
    {
        var points = new List<AggregatePoint>();
        var slots = Enumerable.Range(0, _samples.Length).Where(slot => _samples[slot] > 0);
        if (_sparseSlots is not null) slots = slots.OrderBy(slot => _slotSteps[slot]);
        foreach (var slot in slots)
        {
            var s = _sums.AsSpan(slot * Fields, Fields);
            points.Add(new AggregatePoint(
                SampleMath.ToUtc(_firstStepMs + _slotSteps[slot] * _stepMs),
                new AggregateCpu(SampleMath.Value(s[0])),
                new PodMemory(SampleMath.Value(s[1]), SampleMath.Value(s[2])),
                new AggregateDisk(SampleMath.Value(s[3]), SampleMath.Value(s[4])),
                new AggregateNetwork(SampleMath.Value(s[5]), SampleMath.Value(s[6]))));
        }
        return points;
    }

    private static double RateOf(long previousMs, ReadOnlySpan<double> previous, long currentMs, ReadOnlySpan<double> current, int field) =>
        previous.IsEmpty ? double.NaN : SampleMath.Rate(previousMs, previous[field], currentMs, current[field]) ?? double.NaN;

    private static void Add(ref double sum, double value)
    {
        if (double.IsNaN(value)) return;
        sum = double.IsNaN(sum) ? value : sum + value;
    }
}
