using System.Globalization;

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>
/// The same numbers as two facades answer them (one fed by pushes, one reading Prometheus), each
/// with its relative difference to the pushed one; <see cref="Report"/> lists them all, so that a
/// failure shows every measurement and not only the first one off.
/// </summary>
internal sealed class SourceAgreement(double tolerance)
{
    private readonly List<(string What, double Memory, double Prometheus)> _compared = [];
    private readonly List<string> _skipped = [];

    /// <summary>A number both facades must have.</summary>
    public void Add(string what, double? memory, double? prometheus)
    {
        if (memory is not { } m || prometheus is not { } p)
        {
            throw new InvalidOperationException($"{what}: memory facade {Text(memory)}, Prometheus facade {Text(prometheus)}; both must have it.");
        }
        _compared.Add((what, m, p));
    }

    /// <summary>A number compared only when the pushed one is at least <paramref name="floor"/>: a few bytes of background are no test of a rate.</summary>
    public void AddWhereNonTrivial(string what, double? memory, double? prometheus, double floor)
    {
        if (memory is { } m && Math.Abs(m) < floor) _skipped.Add($"{what} ({m:0} < {floor:0}, trivial)");
        else Add(what, memory, prometheus);
    }

    /// <summary>(Prometheus - memory) / memory; 0 when both are 0.</summary>
    private static double Difference(double memory, double prometheus) =>
        memory == prometheus ? 0 : (prometheus - memory) / Math.Abs(memory);

    public IEnumerable<string> Disagreeing =>
        _compared.Where(c => !(Math.Abs(Difference(c.Memory, c.Prometheus)) <= tolerance)).Select(c => c.What);

    /// <summary>The largest difference, as a ratio.</summary>
    public double Largest => _compared.Max(c => Math.Abs(Difference(c.Memory, c.Prometheus)));

    public int Count => _compared.Count;

    public string Report => string.Join('\n',
        _compared.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{c.What}: memory {c.Memory:0.####}, prometheus {c.Prometheus:0.####}, {Math.Round(Difference(c.Memory, c.Prometheus) * 100, 2):+0.00;-0.00;0.00} %"))
        .Concat(_skipped.Select(s => "not compared: " + s)));

    private static string Text(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "null";
}
