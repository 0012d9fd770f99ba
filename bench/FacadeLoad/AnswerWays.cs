using System.Globalization;
using System.Text.Json;

namespace KubeMonitor.FacadeLoad;

/// <summary>
/// One way of answering a question (a namespace's 5-minute rollup, one pod's hour): the HTTP
/// requests it takes, and the facade process that does the work, if any. <see cref="AskAsync"/>
/// returns the bodies of every request of one answer; <c>i</c> picks the answer's subject
/// (a pod), the same for every way.
/// </summary>
internal sealed record AnswerWay(string Name, FacadeProcess? Facade, Func<int, Task<IReadOnlyList<byte[]>>> AskAsync, Func<IReadOnlyList<byte[]>, (int Points, double MeanCpuCores)> Check);

/// <summary>The requests of each way: the facade's REST API, or the PromQL a user would write (section 4's metrics).</summary>
internal static class AnswerWays
{
    // The pod rates and gauges of a rollup and of a pod's series, as a user would chart them.
    private static readonly (string Metric, bool Counter)[] PodValues =
    [
        ("kubemonitor_pod_cpu_usage_seconds_total", true),
        ("kubemonitor_pod_memory_working_set_bytes", false),
        ("kubemonitor_pod_memory_usage_bytes", false),
        ("kubemonitor_pod_disk_read_bytes_total", true),
        ("kubemonitor_pod_disk_written_bytes_total", true),
        ("kubemonitor_pod_network_receive_bytes_total", true),
        ("kubemonitor_pod_network_transmit_bytes_total", true),
    ];

    private static readonly (string Metric, bool Counter)[] ContainerValues =
    [
        ("kubemonitor_container_cpu_usage_seconds_total", true),
        ("kubemonitor_container_memory_working_set_bytes", false),
    ];

    /// <summary>GET of one facade path; the answer is its one body.</summary>
    public static AnswerWay Facade(string name, FacadeProcess facade, HttpClient http, Func<int, string> path) =>
        new(name, facade, async i => [await GetAsync(http, path(i))], bodies => FacadePoints(bodies[0]));

    /// <summary>
    /// A namespace's sums over <paramref name="windowSeconds"/>: one <c>query_range</c> per value,
    /// all sent at once as a dashboard's panels are (rates over <paramref name="rateRange"/>).
    /// </summary>
    public static AnswerWay PromQlRollup(HttpClient prometheus, string matchers, int windowSeconds, int stepSeconds, string rateRange) =>
        new("PromQL (query_range)", null, _ => RangeAsync(prometheus, windowSeconds, stepSeconds,
            [.. PodValues.Select(v => v.Counter ? $"sum(rate({v.Metric}{{{matchers}}}[{rateRange}]))" : $"sum({v.Metric}{{{matchers}}})")]),
            PromQlPoints);

    /// <summary>One pod's values and its containers' (one series per container) over <paramref name="windowSeconds"/>.</summary>
    public static AnswerWay PromQlPod(HttpClient prometheus, Func<int, string> podMatchers, int windowSeconds, int stepSeconds, string rateRange) =>
        new("PromQL (query_range)", null, i => RangeAsync(prometheus, windowSeconds, stepSeconds,
            [.. PodValues.Concat(ContainerValues).Select(v => v.Counter ? $"rate({v.Metric}{{{podMatchers(i)}}}[{rateRange}])" : $"{v.Metric}{{{podMatchers(i)}}}")]),
            PromQlPoints);

    /// <summary>The queries at once over the window ending at the last whole step (as Grafana aligns them).</summary>
    private static async Task<IReadOnlyList<byte[]>> RangeAsync(HttpClient prometheus, int windowSeconds, int stepSeconds, string[] queries)
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / stepSeconds * stepSeconds;
        var start = end - windowSeconds;
        return await Task.WhenAll(queries.Select(query => PostAsync(prometheus, "api/v1/query_range",
        [
            new("query", query), new("start", start.ToString(CultureInfo.InvariantCulture)),
            new("end", end.ToString(CultureInfo.InvariantCulture)), new("step", stepSeconds.ToString(CultureInfo.InvariantCulture)),
        ])));
    }

    private static async Task<byte[]> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return body;
    }

    private static async Task<byte[]> PostAsync(HttpClient http, string path, KeyValuePair<string, string>[] form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} {form[0].Value}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return body;
    }

    /// <summary>A facade series: its points and their mean <c>cpu.usageCores</c>.</summary>
    private static (int, double) FacadePoints(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var points = json.RootElement.GetProperty("points");
        var cores = points.EnumerateArray()
            .Select(p => p.GetProperty("cpu").GetProperty("usageCores"))
            .Where(c => c.ValueKind == JsonValueKind.Number)
            .Select(c => c.GetDouble())
            .ToList();
        return (points.GetArrayLength(), cores.Count == 0 ? double.NaN : cores.Average());
    }

    /// <summary>The first query's (the CPU rate's) first series: its points and their mean.</summary>
    private static (int, double) PromQlPoints(IReadOnlyList<byte[]> bodies)
    {
        using var json = JsonDocument.Parse(bodies[0]);
        var result = json.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0) return (0, double.NaN);
        var values = result[0].GetProperty("values").EnumerateArray()
            .Select(v => double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture))
            .ToList();
        return (values.Count, values.Average());
    }
}
