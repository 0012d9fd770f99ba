extern alias KubeFull;
using KubeFull::k8s;

namespace KubeMonitor.Deploy.Tests.Support;

internal static class Manifests
{
    public static List<object> Load(string yaml) => KubernetesYaml.LoadAllFromString(yaml, null, strict: true);
}
