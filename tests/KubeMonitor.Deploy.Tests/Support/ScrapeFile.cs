using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>The part of Prometheus's configuration format that the scrape config of docs/install.md uses.</summary>
public sealed class ScrapeFile
{
    public List<ScrapeJob> ScrapeConfigs { get; set; } = [];

    /// <summary>Strict: a field not declared here (a typo, a wrong nesting) fails the load.</summary>
    public static ScrapeFile Parse(string yaml) =>
        new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<ScrapeFile>(yaml);
}

public sealed class ScrapeJob
{
    public string JobName { get; set; } = "";
    public string? ScrapeInterval { get; set; }
    public bool HonorLabels { get; set; }
    public List<KubernetesSd> KubernetesSdConfigs { get; set; } = [];
    public List<Relabel> RelabelConfigs { get; set; } = [];
}

public sealed class KubernetesSd
{
    public string Role { get; set; } = "";
}

public sealed class Relabel
{
    public List<string> SourceLabels { get; set; } = [];
    public string? Regex { get; set; }
    public string? Action { get; set; }
    public string? TargetLabel { get; set; }
}
