using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

/// <summary>
/// Namespace and deployment series: per step of the window, the sum over pods of each pod's values
/// at its last sample in that step (docs/api.md section 3), summed as <see cref="EntityViews.Rollup"/>
/// says. Steps start at multiples of the step since the Unix epoch. Dense arrays, no object per
/// sample: a rollup over 10,000 pods stays cheap. One instance per part of a parallel read.
/// </summary>
internal sealed class StepSums : IPodRowsSink
{
    /// <summary>Up to this many steps, one slot per step; beyond (a long window at step=1) slots only for steps with samples.</summary>
    private const long MaxDenseSteps = 1 << 16;
    private static readonly RollupTable Rollup = EntityViews.Rollup;
    private static readonly ViewTable PodValues = EntityViews.Pod;
    private readonly int _sumCount = Rollup.Count;
    private readonly long _fromMs;
    private readonly long _stepMs;
    private readonly long _firstStepMs;
    private readonly Dictionary<long, int>? _sparseSlots; // step index -> slot; null when dense
    private readonly double[] _podValues = new double[PodValues.Count];
    private double[] _sums;   // per slot, _sumCount values; NaN: no pod has a value for this one in this step
    private int[] _samples;   // per slot
    private long[] _slotSteps; // per slot, its step index

    public StepSums(long fromMs, long toMs, int stepSeconds)
    {
        _fromMs = fromMs;
        _stepMs = stepSeconds * 1000L;
        _firstStepMs = StepStart(fromMs);
        var steps = (StepStart(toMs) - _firstStepMs) / _stepMs + 1;
        var slots = (int)Math.Min(steps, MaxDenseSteps);
        if (steps > MaxDenseSteps) _sparseSlots = [];
        _sums = new double[slots * _sumCount];
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
            var grown = Math.Max(1, slot * 2);
            Array.Resize(ref _samples, grown);
            Array.Resize(ref _slotSteps, grown);
            var oldLength = _sums.Length;
            Array.Resize(ref _sums, grown * _sumCount);
            _sums.AsSpan(oldLength).Fill(double.NaN);
        }
        _sparseSlots[step] = slot;
        _slotSteps[slot] = step;
        return slot;
    }

    public long StepStart(long timestampMs) => timestampMs - (((timestampMs % _stepMs) + _stepMs) % _stepMs);

    /// <summary>
    /// Adds one pod's rows (row-major, <see cref="PodFields.Count"/> values each, the first possibly
    /// before the window as the base of the first rate): its last row in each step counts.
    /// </summary>
    public void Add(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values)
    {
        var width = PodFields.Count;
        for (var i = 0; i < timestamps.Length; i++)
        {
            var t = timestamps[i];
            if (t < _fromMs) continue;
            var stepStart = StepStart(t);
            if (i + 1 < timestamps.Length && timestamps[i + 1] < stepStart + _stepMs) continue; // not the pod's last in this step
            var slot = Slot((stepStart - _firstStepMs) / _stepMs);
            var current = values.Slice(i * width, width);
            if (i > 0) PodValues.Compute(timestamps[i - 1], values.Slice((i - 1) * width, width), t, current, _podValues);
            else PodValues.Compute(0, default, t, current, _podValues);
            Rollup.Add(_sums.AsSpan(slot * _sumCount, _sumCount), _podValues);
            _samples[slot]++;
        }
    }

    /// <summary>
    /// Adds the sums of another part of the pods over the same window and step (the parts of a
    /// parallel rollup): per step, each value's sums add, and a value stays null only if it is
    /// null in both.
    /// </summary>
    public void Add(StepSums other)
    {
        if (other._stepMs != _stepMs || other._firstStepMs != _firstStepMs) throw new ArgumentException("Only sums of the same window and step add up.", nameof(other));
        for (var theirs = 0; theirs < other._samples.Length; theirs++)
        {
            if (other._samples[theirs] == 0) continue;
            var mine = Slot(other._slotSteps[theirs]);
            var sums = _sums.AsSpan(mine * _sumCount, _sumCount);
            var added = other._sums.AsSpan(theirs * _sumCount, _sumCount);
            for (var f = 0; f < _sumCount; f++) RollupTable.AddTo(ref sums[f], added[f]);
            _samples[mine] += other._samples[theirs];
        }
    }

    /// <summary>The steps that had samples, oldest first, labelled by their start, in <see cref="EntityViews.Rollup"/>'s order.</summary>
    public List<Point> Points()
    {
        var points = new List<Point>();
        var slots = Enumerable.Range(0, _samples.Length).Where(slot => _samples[slot] > 0);
        if (_sparseSlots is not null) slots = slots.OrderBy(slot => _slotSteps[slot]);
        foreach (var slot in slots)
        {
            points.Add(new Point(_firstStepMs + _slotSteps[slot] * _stepMs, _sums.AsSpan(slot * _sumCount, _sumCount).ToArray()));
        }
        return points;
    }
}
