using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>Grafana's datasource provisioning file (apiVersion 1), the fields grafana/provisioning uses.</summary>
public sealed class DatasourceProvisioning
{
    public int ApiVersion { get; set; }
    public List<ProvisionedDatasource> Datasources { get; set; } = [];

    /// <summary>Strict: a field not declared here (a typo, a wrong nesting) fails the load.</summary>
    public static DatasourceProvisioning Parse(string yaml) =>
        new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<DatasourceProvisioning>(yaml);
}

public sealed class ProvisionedDatasource
{
    public string Name { get; set; } = "";
    public string Uid { get; set; } = "";
    public string Type { get; set; } = "";
    public string Access { get; set; } = "";
    public string Url { get; set; } = "";
    public bool IsDefault { get; set; }
    public Dictionary<string, string> JsonData { get; set; } = [];
}
