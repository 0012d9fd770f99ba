using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// The calls the exporter's list + watch loops make: the pods of its node and its own Node.
/// KubernetesClient.Aot has no Watcher and its generated list methods, asked to watch, would read
/// the whole stream as one list; so a watch is sent through the client's own request pipeline
/// (credentials, TLS, HTTP/2) and its newline-delimited events are read here as they arrive.
/// </summary>
public sealed class KubernetesWatchApi(KubernetesClientConfiguration configuration) : k8s.Kubernetes(configuration)
{
    /// <summary>
    /// Lists the pods matching <paramref name="fieldSelector"/>. <paramref name="fromCache"/> asks for
    /// resourceVersion=0 (served from the API server's watch cache: cheap when every node of a
    /// large cluster lists at once); false asks for the newest state, as after a 410 Gone.
    /// </summary>
    public async Task<V1PodList> ListPodsAsync(string fieldSelector, bool fromCache, CancellationToken cancellationToken) =>
        await CoreV1.ListPodForAllNamespacesAsync(
            fieldSelector: fieldSelector,
            resourceVersion: fromCache ? "0" : null,
            cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>Lists the nodes matching <paramref name="fieldSelector"/>; <paramref name="fromCache"/> as for pods.</summary>
    public async Task<V1NodeList> ListNodesAsync(string fieldSelector, bool fromCache, CancellationToken cancellationToken) =>
        await CoreV1.ListNodeAsync(
            fieldSelector: fieldSelector,
            resourceVersion: fromCache ? "0" : null,
            cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Opens a watch of the cluster-wide <paramref name="resource"/> ("pods", "nodes"); returns once
    /// the response headers are in (so the server answered).
    /// </summary>
    /// <exception cref="k8s.Autorest.HttpOperationException">A non-2xx answer, e.g. 410 Gone for an expired resourceVersion.</exception>
    public async Task<WatchConnection<T>> OpenWatchAsync<T>(string resource, string fieldSelector, string? resourceVersion, int timeoutSeconds, CancellationToken cancellationToken)
        where T : class
    {
        var uri = "api/v1/" + resource + "?watch=true&allowWatchBookmarks=true"
            + "&fieldSelector=" + Uri.EscapeDataString(fieldSelector)
            + "&timeoutSeconds=" + timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
            + (string.IsNullOrEmpty(resourceVersion) ? "" : "&resourceVersion=" + Uri.EscapeDataString(resourceVersion));
        var response = await SendRequest<object?>(uri, HttpMethod.Get, null, null, cancellationToken).ConfigureAwait(false);
        return new WatchConnection<T>(response);
    }
}

/// <summary>An open watch response; dispose it to close the connection.</summary>
public sealed class WatchConnection<T>(HttpResponseMessage response) : IDisposable where T : class
{
    /// <summary>The events in order, each as soon as its line is complete; ends when the server ends the stream.</summary>
    public async IAsyncEnumerable<WatchEvent<T>> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            yield return WatchEvent.Parse<T>(line);
        }
    }

    public void Dispose() => response.Dispose();
}
