namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// One sample of one Prometheus series: the metric name, the other labels (no empty values:
/// Prometheus treats an empty label as an absent one), the value and its time in Unix milliseconds.
/// </summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long TimestampMs);
