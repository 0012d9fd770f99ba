namespace KubeMonitor.TestSupport;

/// <summary>A kubeconfig that points a client at a fake API server with a bearer token.</summary>
public static class TestKubeconfig
{
    public static string Text(string server, string token = "test-token") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: {server}
        contexts:
        - name: test
          context:
            cluster: test
            user: test
        current-context: test
        users:
        - name: test
          user:
            token: {token}
        """;

    /// <summary>Writes <see cref="Text"/> to <c>&lt;folder&gt;/kubeconfig</c> and returns its path.</summary>
    public static string Write(string folder, string server, string token = "test-token")
    {
        var path = Path.Combine(folder, "kubeconfig");
        File.WriteAllText(path, Text(server, token));
        return path;
    }
}
