using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

/// <summary>A pod's value in an order: a number (NaN when missing) or a text (null when missing).</summary>
internal readonly record struct SortValue(double Number, string? Text);

/// <summary>Where a pod stands in an order: its value and its key (which breaks ties).</summary>
internal readonly record struct PodPosition(SortValue Value, PodKey Key);

/// <summary>
/// The order of a pod page (<c>?sort=cpu.usageCores</c>, a leading <c>-</c> for descending): by one
/// value a PodView shows, a missing value last in either direction, ties by (namespace, name)
/// ascending. <see cref="ByKey"/> is the lists' own order, (namespace, name) alone.
/// </summary>
internal sealed class PodOrder
{
    /// <summary>The fields of a PodView that are text; every other sort field is a value of <see cref="EntityViews.Pod"/>.</summary>
    private static readonly string[] TextFields = ["name", "namespace", "node", "deployment"];

    public static readonly PodOrder ByKey = new(null, -1, false);

    /// <summary>Its place in <see cref="EntityViews.Pod"/>'s values; -1 for a text field.</summary>
    private readonly int _valueIndex;

    private PodOrder(string? field, int valueIndex, bool descending) => (Field, _valueIndex, Descending) = (field, valueIndex, descending);

    /// <summary>What a client may sort by: the text fields, then every value path of a PodView.</summary>
    public static IEnumerable<string> Fields => TextFields.Concat(EntityViews.Pod.Values.Select(v => v.Path));

    /// <summary>The PodView path sorted by; null for <see cref="ByKey"/>.</summary>
    public string? Field { get; }

    public bool Descending { get; }

    public bool IsByKey => Field is null;

    public bool IsText => Field is not null && _valueIndex < 0;

    /// <summary>As the client writes it: <c>-cpu.usageCores</c>.</summary>
    public string Text => (Descending ? "-" : "") + Field;

    /// <summary>Null when <paramref name="text"/> names no field a PodView shows.</summary>
    public static PodOrder? Parse(string text)
    {
        var descending = text.StartsWith('-');
        var field = descending ? text[1..] : text;
        if (TextFields.Contains(field, StringComparer.Ordinal)) return new PodOrder(field, -1, descending);
        var index = EntityViews.Pod.Values.Select(v => v.Path).ToList().IndexOf(field);
        return index < 0 ? null : new PodOrder(field, index, descending);
    }

    /// <summary>The pod's value in this order, from its identity, resolved deployment and computed values (<see cref="EntityViews.Pod"/>).</summary>
    public SortValue ValueOf(PodIdentity pod, string? deployment, ReadOnlySpan<double> values) => Field switch
    {
        null => new SortValue(double.NaN, null),
        "name" => new SortValue(double.NaN, pod.Name),
        "namespace" => new SortValue(double.NaN, pod.Namespace),
        "node" => new SortValue(double.NaN, pod.Node),
        "deployment" => new SortValue(double.NaN, deployment),
        _ => new SortValue(values[_valueIndex], null),
    };

    public SortValue ValueOf(PodResult pod) => ValueOf(pod.Pod, pod.Deployment, pod.Latest.Values);

    /// <summary>Negative when <paramref name="a"/> comes first.</summary>
    public int Compare(in PodPosition a, in PodPosition b)
    {
        var byValue = IsByKey ? 0 : IsText ? CompareTexts(a.Value.Text, b.Value.Text) : CompareNumbers(a.Value.Number, b.Value.Number);
        return byValue != 0 ? byValue : a.Key.CompareTo(b.Key);
    }

    private int CompareTexts(string? a, string? b)
    {
        if (a is null || b is null) return MissingLast(a is null, b is null);
        var order = string.CompareOrdinal(a, b);
        return Descending ? -order : order;
    }

    private int CompareNumbers(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return MissingLast(double.IsNaN(a), double.IsNaN(b));
        var order = a.CompareTo(b);
        return Descending ? -order : order;
    }

    private static int MissingLast(bool aMissing, bool bMissing) => aMissing == bMissing ? 0 : aMissing ? 1 : -1;
}
