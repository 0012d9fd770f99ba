using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

/// <summary>How a shown value comes from raw rows.</summary>
internal enum ValueSource
{
    /// <summary>A counter's increase per second over the row and the one before it.</summary>
    Rate,
    /// <summary>A counter's increase over the row and the one before it (events in the interval, such as OOM kills).</summary>
    Increase,
    /// <summary>A counter as it stands.</summary>
    Total,
    /// <summary>A gauge as it stands.</summary>
    Gauge,
    /// <summary>Computed from the other values (a utilization).</summary>
    Derived,
}

/// <summary>
/// One value of a view: where it shows (<c>cpu.usageCores</c>), and from which raw column.
/// <see cref="InRollups"/>: namespace and deployment views sum it.
/// </summary>
internal sealed record ViewValue(string Section, string Name, ValueSource Source, int Column, bool InRollups = false)
{
    public string Path => $"{Section}.{Name}";

    /// <summary>Summaries take rates, increases, gauges and derived values; a total over a window means nothing.</summary>
    public bool IsTotal => Source == ValueSource.Total;
}

/// <summary>
/// Fills a view's derived values from its other values and, for what needs both ends of the
/// interval (a ratio of two counters' increases), the raw rows (<paramref name="previous"/> empty: no previous row).
/// </summary>
internal delegate void Derive(Span<double> values, ReadOnlySpan<double> previous, ReadOnlySpan<double> current);

/// <summary>
/// The values a view shows of one entity kind, made from its field table: a counter gives its rate
/// (over two consecutive rows: <c>(v2 - v1) / (t2 - t1)</c>; a decrease is a reset and gives no
/// rate, never a negative one), its increase (<c>v2 - v1</c>, same rule) where the table names
/// them, and its total; a gauge gives its value; then the derived values. Every source's rows go
/// through <see cref="Compute"/>, so the definitions are the same for all.
/// </summary>
internal sealed class ViewTable
{
    private readonly Dictionary<string, int> _index;
    private readonly Derive? _derive;

    /// <param name="derive">Given the table once, returns what fills its derived values (so that it looks their places up once).</param>
    public ViewTable(FieldTable fields, IReadOnlyList<(string Section, string Name)>? derived = null, Func<ViewTable, Derive>? derive = null)
    {
        Fields = fields;
        var values = new List<ViewValue>();
        for (var column = 0; column < fields.Count; column++)
        {
            var field = fields.Fields[column];
            if (field.Kind == FieldKind.Counter)
            {
                if (field.RateName is { } rate) values.Add(new ViewValue(field.Section, rate, ValueSource.Rate, column, field.InRollups));
                if (field.IncreaseName is { } increase) values.Add(new ViewValue(field.Section, increase, ValueSource.Increase, column, field.InRollups));
                values.Add(new ViewValue(field.Section, field.Name, ValueSource.Total, column));
            }
            else
            {
                values.Add(new ViewValue(field.Section, field.Name, ValueSource.Gauge, column, field.InRollups));
            }
        }
        foreach (var (section, name) in derived ?? []) values.Add(new ViewValue(section, name, ValueSource.Derived, -1));
        Values = values;
        _index = values.Select((v, i) => (v.Path, i)).ToDictionary(p => p.Path, p => p.i, StringComparer.Ordinal);
        _derive = derive?.Invoke(this);
    }

    public FieldTable Fields { get; }

    public IReadOnlyList<ViewValue> Values { get; }

    public int Count => Values.Count;

    /// <summary>Where the value at <paramref name="path"/> (<c>cpu.usageCores</c>) is in a computed row.</summary>
    public int Index(string path) =>
        _index.TryGetValue(path, out var index) ? index : throw new ArgumentException($"A {Fields.Kind} view has no value '{path}'.", nameof(path));

    /// <summary>The values of <paramref name="current"/>, its rates taken over <paramref name="previous"/> (empty: no rates).</summary>
    public void Compute(long previousMs, ReadOnlySpan<double> previous, long currentMs, ReadOnlySpan<double> current, Span<double> values)
    {
        for (var i = 0; i < Values.Count; i++)
        {
            var value = Values[i];
            values[i] = value.Source switch
            {
                ValueSource.Rate => previous.IsEmpty ? double.NaN : Rate(previousMs, previous[value.Column], currentMs, current[value.Column]),
                ValueSource.Increase => previous.IsEmpty || currentMs <= previousMs ? double.NaN : Increase(previous[value.Column], current[value.Column]),
                ValueSource.Total or ValueSource.Gauge => current[value.Column],
                _ => double.NaN,
            };
        }
        _derive?.Invoke(values, previous, current);
    }

    public Point Latest(LatestRows rows)
    {
        var values = new double[Count];
        Compute(rows.PreviousMs, rows.Previous, rows.TimestampMs, rows.Values, values);
        return new Point(rows.TimestampMs, values);
    }

    /// <summary>A point for every row in [fromMs, ...]; a row before <paramref name="fromMs"/> is only the base of the first rate.</summary>
    public List<Point> Points(RawRows rows, long fromMs)
    {
        var points = new List<Point>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows.Timestamps[i] < fromMs) continue;
            var values = new double[Count];
            if (i > 0) Compute(rows.Timestamps[i - 1], rows.Row(i - 1), rows.Timestamps[i], rows.Row(i), values);
            else Compute(0, default, rows.Timestamps[i], rows.Row(i), values);
            points.Add(new Point(rows.Timestamps[i], values));
        }
        return points;
    }

    /// <summary>NaN when either value is missing, time does not move forward, or the counter went down (a reset).</summary>
    public static double Rate(long previousMs, double previous, long currentMs, double current)
    {
        if (double.IsNaN(previous) || double.IsNaN(current) || currentMs <= previousMs || current < previous) return double.NaN;
        var rate = (current - previous) / ((currentMs - previousMs) / 1000.0);
        return double.IsFinite(rate) ? rate : double.NaN;
    }

    /// <summary>How much a counter grew; NaN when either value is missing or it went down (a reset).</summary>
    public static double Increase(double previous, double current) =>
        double.IsNaN(previous) || double.IsNaN(current) || current < previous ? double.NaN : current - previous;

    /// <summary>A utilization in [0, 1]: jitter between sample times must not make it 1.02.</summary>
    public static double Ratio(double part, double whole) =>
        double.IsNaN(part) || double.IsNaN(whole) || whole <= 0 ? double.NaN : Math.Clamp(part / whole, 0, 1);
}

/// <summary>
/// The sums over pods that namespace and deployment views show: the pod values whose fields are
/// <see cref="Field.InRollups"/> (rates, increases and gauges; never a total or a ratio), in the pod view's order.
/// </summary>
internal sealed class RollupTable
{
    private readonly Dictionary<string, int> _index;

    public RollupTable(ViewTable pods)
    {
        Pods = pods;
        PodIndexes = Enumerable.Range(0, pods.Count).Where(i => pods.Values[i].InRollups).ToArray();
        Values = PodIndexes.Select(i => pods.Values[i]).ToArray();
        _index = Values.Select((v, i) => (v.Path, i)).ToDictionary(p => p.Path, p => p.i, StringComparer.Ordinal);
    }

    public ViewTable Pods { get; }

    /// <summary>Per summed value, its index in a pod's values.</summary>
    public int[] PodIndexes { get; }

    public IReadOnlyList<ViewValue> Values { get; }

    public int Count => Values.Count;

    public int Index(string path) =>
        _index.TryGetValue(path, out var index) ? index : throw new ArgumentException($"A rollup has no value '{path}'.", nameof(path));

    /// <summary>Adds a pod's values into running sums, where a sum stays NaN (null) until some pod has a value for it.</summary>
    public void Add(Span<double> sums, ReadOnlySpan<double> podValues)
    {
        for (var i = 0; i < PodIndexes.Length; i++) AddTo(ref sums[i], podValues[PodIndexes[i]]);
    }

    public double[] NewSums()
    {
        var sums = new double[Count];
        Array.Fill(sums, double.NaN);
        return sums;
    }

    public static void AddTo(ref double sum, double value)
    {
        if (double.IsNaN(value)) return;
        sum = double.IsNaN(sum) ? value : sum + value;
    }
}
