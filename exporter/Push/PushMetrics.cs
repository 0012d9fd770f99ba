using KubeMonitor.Contracts;
using Prometheus;

namespace KubeMonitor.Exporter.Push;

/// <summary>
/// The pusher's own series on the exporter's registry. Every batch handed to a target ends in
/// exactly one <c>result</c> of <c>kubemonitor_exporter_push_batches_total</c>: <c>sent</c>
/// (2xx), <c>rejected</c> (a 4xx other than 429: the facade will never take it) or
/// <c>dropped</c> (pushed out of a full buffer, or its target went away). Dropped batches are
/// counted there only; there is no separate dropped counter.
/// </summary>
public sealed class PushMetrics
{
    internal const string Sent = "sent";
    internal const string Rejected = "rejected";
    internal const string Dropped = "dropped";

    private readonly Counter _batches;
    private readonly Counter _retries;
    private readonly Counter _sentBytes;
    private readonly Gauge _buffered;
    private readonly Gauge _bufferedBytes;
    private readonly Histogram _duration;
    private readonly Gauge _unnamedPods;
    private readonly Gauge _labelsLeftOut;

    public PushMetrics(CollectorRegistry registry)
        : this(Prometheus.Metrics.WithCustomRegistry(registry))
    {
    }

    public PushMetrics(IMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _batches = factory.CreateCounter(
            "kubemonitor_exporter_push_batches_total",
            "Batches handed to a facade target, by outcome: sent, rejected (4xx, not retried) or dropped (buffer full or target gone).",
            ["target", "result"]);
        _retries = factory.CreateCounter(
            "kubemonitor_exporter_push_retries_total",
            "Requests to a facade target that were retried (back-off within one round).",
            ["target"]);
        _sentBytes = factory.CreateCounter(
            "kubemonitor_exporter_push_sent_bytes_total",
            "Request body bytes (JSON) of the batches a facade target accepted; divided by the sent batches, the size of one batch.",
            ["target"]);
        _buffered = factory.CreateGauge(
            "kubemonitor_exporter_push_buffered_batches",
            "Batches waiting for a facade target, oldest sent first.",
            ["target"]);
        _bufferedBytes = factory.CreateGauge(
            "kubemonitor_exporter_push_buffered_bytes",
            "JSON bytes of the batches waiting for a facade target (bounded by --push-buffer-bytes).",
            ["target"]);
        _duration = factory.CreateHistogram(
            "kubemonitor_exporter_push_duration_seconds",
            "Time to deliver one batch to a facade target, retries included.",
            ["target"],
            new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _unnamedPods = factory.CreateGauge(
            "kubemonitor_exporter_push_unnamed_pods",
            "Pods of the last collection left out of the push because Kubernetes metadata does not name them yet.");
        _labelsLeftOut = factory.CreateGauge(
            "kubemonitor_exporter_push_labels_left_out",
            $"Pods (and the node) of the last collection pushed without their labels because they carry more than the facade takes ({SampleLimits.MaxLabels}); /metrics has them all.");
    }

    internal void Count(string target, string result) => _batches.WithLabels(target, result).Inc();

    internal void CountSentBytes(string target, int bytes) => _sentBytes.WithLabels(target).Inc(bytes);

    internal void Retried(string target) => _retries.WithLabels(target).Inc();

    internal void SetBuffered(string target, int count, long bytes)
    {
        _buffered.WithLabels(target).Set(count);
        _bufferedBytes.WithLabels(target).Set(bytes);
    }

    internal void ObserveDuration(string target, TimeSpan duration) => _duration.WithLabels(target).Observe(duration.TotalSeconds);

    internal void SetUnnamedPods(int count) => _unnamedPods.Set(count);

    internal void SetLabelsLeftOut(int count) => _labelsLeftOut.Set(count);

    /// <summary>A target that is gone (a facade pod no longer resolved) leaves no stale series behind.</summary>
    internal void Forget(string target)
    {
        foreach (var result in new[] { Sent, Rejected, Dropped })
        {
            _batches.RemoveLabelled(target, result);
        }
        _retries.RemoveLabelled(target);
        _sentBytes.RemoveLabelled(target);
        _buffered.RemoveLabelled(target);
        _bufferedBytes.RemoveLabelled(target);
        _duration.RemoveLabelled(target);
    }
}
