using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// The calls the exporter's list + watch loops make: the pods of its node and its own Node.
/// KubernetesClient.Aot has no Watcher and its generated list methods, asked to watch, would read
/// the whole stream as one list; so every call goes through <see cref="KubernetesHttp"/> and is
/// read here with <see cref="KubernetesModelsJson"/>: a watch's newline-delimited events as they arrive.
/// </summary>
public sealed class KubernetesWatchApi(KubernetesClientConfiguration configuration) : IDisposable
{
    private readonly KubernetesHttp _http = new(configuration);

    /// <summary>
    /// Lists the pods matching <paramref name="fieldSelector"/>. <paramref name="fromCache"/> asks for
    /// resourceVersion=0 (served from the API server's watch cache: cheap when every node of a
    /// large cluster lists at once); false asks for the newest state, as after a 410 Gone.
    /// </summary>
    /// <exception cref="k8s.Autorest.HttpOperationException">A non-2xx answer.</exception>
    public Task<V1PodList> ListPodsAsync(string fieldSelector, bool fromCache, CancellationToken cancellationToken) =>
        GetAsync(ListUri("pods", fieldSelector, fromCache), KubernetesModelsJson.Default.V1PodList, cancellationToken);

    /// <summary>Lists the nodes matching <paramref name="fieldSelector"/>; <paramref name="fromCache"/> as for pods.</summary>
    /// <exception cref="k8s.Autorest.HttpOperationException">A non-2xx answer.</exception>
    public Task<V1NodeList> ListNodesAsync(string fieldSelector, bool fromCache, CancellationToken cancellationToken) =>
        GetAsync(ListUri("nodes", fieldSelector, fromCache), KubernetesModelsJson.Default.V1NodeList, cancellationToken);

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
        var response = await SendAsync(uri, cancellationToken).ConfigureAwait(false);
        return new WatchConnection<T>(response);
    }

    private static string ListUri(string resource, string fieldSelector, bool fromCache) =>
        "api/v1/" + resource + "?fieldSelector=" + Uri.EscapeDataString(fieldSelector) + (fromCache ? "&resourceVersion=0" : "");

    private async Task<T> GetAsync<T>(string relativeUri, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(relativeUri, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException($"{relativeUri} answered null");
        }
    }

    private Task<HttpResponseMessage> SendAsync(string relativeUri, CancellationToken cancellationToken) =>
        _http.GetAsync(relativeUri, cancellationToken);

    public void Dispose() => _http.Dispose();
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
