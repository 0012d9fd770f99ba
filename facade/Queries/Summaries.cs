namespace KubeMonitor.Facade.Queries;

/// <summary>min/avg/max over a window's points of every value a view table summarises (rates, gauges, derived; not totals).</summary>
internal static class Summaries
{
    public static Summary Of(IReadOnlyList<Point> points, IReadOnlyList<ViewValue> values)
    {
        var summary = new Summary();
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value.IsTotal) continue;
            summary.Section(value.Section)[value.Name] = StatOf(points, i);
        }
        return summary;
    }

    /// <summary>Over the points where the value exists; null when none has it.</summary>
    private static Stat? StatOf(IReadOnlyList<Point> points, int index)
    {
        double min = double.MaxValue, max = double.MinValue, sum = 0;
        var count = 0;
        foreach (var point in points)
        {
            var v = point[index];
            if (double.IsNaN(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            count++;
        }
        return count == 0 ? null : new Stat(min, sum / count, max);
    }
}
