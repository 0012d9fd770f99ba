extern alias KubeFull;
using KubeFull::k8s;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

// The parts of the prometheus-operator CRDs (monitoring.coreos.com/v1) that deploy/ uses, as
// typed models for the strict loader: a field not declared here fails the load.

public abstract class MonitoringObject : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
}

public sealed class ServiceMonitor : MonitoringObject
{
    public ServiceMonitorSpec Spec { get; set; } = new();
}

public sealed class ServiceMonitorSpec
{
    public string? JobLabel { get; set; }
    public V1LabelSelector Selector { get; set; } = new();
    public List<ScrapeEndpoint> Endpoints { get; set; } = [];
}

public sealed class PodMonitor : MonitoringObject
{
    public PodMonitorSpec Spec { get; set; } = new();
}

public sealed class PodMonitorSpec
{
    public string? JobLabel { get; set; }
    public V1LabelSelector Selector { get; set; } = new();
    public List<ScrapeEndpoint> PodMetricsEndpoints { get; set; } = [];
}

public sealed class ScrapeEndpoint
{
    public string? Port { get; set; }
    public string? Path { get; set; }
    public string? Interval { get; set; }
    public bool? HonorLabels { get; set; }
    public List<RelabelConfig>? Relabelings { get; set; }
}

public sealed class RelabelConfig
{
    public List<string>? SourceLabels { get; set; }
    public string? TargetLabel { get; set; }
}

public sealed class PrometheusRule : MonitoringObject
{
    public RuleFile Spec { get; set; } = new();
}

/// <summary>Also the shape of a plain Prometheus rules file (deploy/prometheus/alerts.yaml).</summary>
public sealed class RuleFile
{
    public List<RuleGroup> Groups { get; set; } = [];
}

public sealed class RuleGroup
{
    public string Name { get; set; } = "";
    public List<AlertRule> Rules { get; set; } = [];
}

public sealed class AlertRule
{
    public string Alert { get; set; } = "";
    public string Expr { get; set; } = "";
    public string? For { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public Dictionary<string, string> Annotations { get; set; } = [];
}
