using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

// What the read port answers, whatever the source: values in the order of a view table
// (EntityViews), NaN where there is no value, with the time they are of. The API turns them into
// its JSON views; other readers (metrics.k8s.io, the page) can turn them into theirs.

/// <summary>The values of an entity at one time (a sample, or the start of a step for sums over pods).</summary>
internal readonly record struct Point(long TimestampMs, double[] Values)
{
    public double this[int index] => Values[index];
}

/// <summary>A window of points: <c>[FromMs, ToMs]</c> at <see cref="StepSeconds"/>, with min/avg/max of every summarised value.</summary>
internal sealed record Windowed(long FromMs, long ToMs, int StepSeconds, IReadOnlyList<Point> Points, Summary Summary)
{
    public int WindowSeconds => (int)((ToMs - FromMs) / 1000);
}

internal sealed record NodeResult(string Name, Point Latest, LabelSet? Labels = null);

internal sealed record ContainerResult(string Name, Point Latest);

/// <summary>A live pod: what its samples say of it, its resolved deployment (docs/api.md section 5), its newest values and its containers'.</summary>
internal sealed record PodResult(PodIdentity Pod, string? Deployment, Point Latest, IReadOnlyList<ContainerResult> Containers);

internal sealed record PodResultPage(IReadOnlyList<PodResult> Items, bool More);

/// <summary>A pod's window: each point with the containers that were in that sample.</summary>
internal sealed record PodWindow(PodResult Latest, Windowed Series, IReadOnlyList<IReadOnlyList<ContainerResult>> ContainersAt);

/// <summary>A namespace or deployment: its live pods' names and the sums of their newest values (<see cref="EntityViews.Rollup"/>).</summary>
internal sealed record GroupResult(string Name, IReadOnlyList<string> Pods, double[] Sums);

/// <summary>Which window: <c>[now - WindowSeconds, now]</c>, steps of <see cref="StepSeconds"/>.</summary>
internal sealed record QueryWindow(int WindowSeconds, int StepSeconds);

/// <summary>min, avg and max of one value over a window's points.</summary>
public sealed record Stat(double Min, double Avg, double Max);

/// <summary>
/// Shaped as the view's points: per section (<c>cpu</c>, <c>memory</c>...), per value, its
/// <see cref="Stat"/>, or null when no point has it. A section within a section
/// (<c>pressure.cpu</c>) is a <see cref="Summary"/> in its parent.
/// </summary>
public sealed class Summary : Dictionary<string, object?>
{
    /// <summary>The section at a dotted path (<c>pressure.cpu</c>), made on the way.</summary>
    internal Summary Section(string path)
    {
        var section = this;
        foreach (var name in path.Split('.'))
        {
            if (!section.TryGetValue(name, out var found)) section[name] = found = new Summary();
            section = (Summary)found!;
        }
        return section;
    }
}
