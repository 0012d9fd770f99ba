using System.Text;

namespace KubeMonitor.TestSupport;

/// <summary>A kubeconfig that points a client at a fake API server with a bearer token.</summary>
public static class TestKubeconfig
{
    public static string Text(string server, string token = "test-token") =>
        Text(server, cluster: [], user: [("token", token)]);

    /// <summary>
    /// A kubeconfig whose one cluster has <paramref name="cluster"/>'s fields besides its server
    /// and whose one user has <paramref name="user"/>'s, each a kubeconfig key and its plain
    /// value (e.g. ("certificate-authority-data", base64), ("client-key", path)).
    /// </summary>
    public static string Text(string server, IEnumerable<(string Key, string Value)> cluster, IEnumerable<(string Key, string Value)> user)
    {
        var text = new StringBuilder()
            .Append("apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n")
            .Append("    server: ").Append(server).Append('\n');
        foreach (var (key, value) in cluster) text.Append("    ").Append(key).Append(": ").Append(value).Append('\n');
        text.Append("contexts:\n- name: test\n  context:\n    cluster: test\n    user: test\n")
            .Append("current-context: test\nusers:\n- name: test\n  user:\n");
        foreach (var (key, value) in user) text.Append("    ").Append(key).Append(": ").Append(value).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes <see cref="Text(string, string)"/> to <c>&lt;folder&gt;/kubeconfig</c> and returns its path.</summary>
    public static string Write(string folder, string server, string token = "test-token")
    {
        var path = Path.Combine(folder, "kubeconfig");
        File.WriteAllText(path, Text(server, token));
        return path;
    }

    /// <summary>Writes <see cref="Text(string, IEnumerable{ValueTuple{string, string}}, IEnumerable{ValueTuple{string, string}})"/> to <c>&lt;folder&gt;/kubeconfig</c> and returns its path.</summary>
    public static string Write(string folder, string server, IEnumerable<(string Key, string Value)> cluster, IEnumerable<(string Key, string Value)> user)
    {
        var path = Path.Combine(folder, "kubeconfig");
        File.WriteAllText(path, Text(server, cluster, user));
        return path;
    }
}
