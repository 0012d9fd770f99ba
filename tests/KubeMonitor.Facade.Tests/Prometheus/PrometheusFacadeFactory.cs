using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using KubeMonitor.Contracts;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// The facade of <see cref="FacadeFactory"/> reading the shared real Prometheus
/// (<c>Facade:Source=Prometheus</c>), its selector narrowed to a test case label of its own, so
/// that tests sharing one Prometheus never see each other's data. A push is not POSTed (the facade
/// takes none in this mode): its body becomes the exporter's series, as Prometheus would have
/// scraped them, and is remote-written there. Settings of a test are merged over these.
/// </summary>
public sealed partial class PrometheusFacadeFactory : FacadeFactory
{
    private const string TestLabel = "test_case";

    // Bodies are written the way PostAsJsonAsync writes them, then read as the facade reads a push.
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);


    // The shared server is started by the first factory; a failed start fails every test with its reason.
    public PrometheusFacadeFactory(Dictionary<string, string?>? settings = null)
        : this(PrometheusServer.SharedAsync().GetAwaiter().GetResult(), Guid.NewGuid().ToString(), settings)
    {
    }

    private PrometheusFacadeFactory(PrometheusServer server, string testCase, Dictionary<string, string?>? settings)
        : base(Merge(server, testCase, settings))
    {
        Backend = server;
        Series = new ExporterSeries(TestLabel, testCase);
    }

    public PrometheusServer Backend { get; }

    /// <summary>Turns samples into this facade's series (for a test that writes many at once).</summary>
    public ExporterSeries Series { get; }

    /// <summary>
    /// Writes the body of <c>POST {path}</c> to Prometheus as the exporter's series; samples without
    /// a timestamp (of their own or their batch's) take the clock's now, as the facade's receive time.
    /// </summary>
    public override async Task PushAsync(string path, object body)
    {
        var json = JsonSerializer.Serialize(body, BodyJson);
        var nowMs = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var match = PushPath().Match(path);
        Assert.True(match.Success, $"{path} is not a push path.");
        var samples = match.Groups["pod"].Success
            ? Series.ForPod(Name(match, "pod"), Read(json, ContractJson.Default.PodSample), nowMs)
            : match.Groups["batch"].Success
                ? Series.ForBatch(Name(match, "node"), Read(json, ContractJson.Default.Batch), nowMs)
                : Series.ForNode(Name(match, "node"), Read(json, ContractJson.Default.NodeSample), nowMs);
        await Backend.WriteAsync(samples);
    }

    private static string Name(Match match, string group) => Uri.UnescapeDataString(match.Groups[group].Value);

    private static T Read<T>(string json, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(json, type) ?? throw new ArgumentException($"The push body is null: {json}");

    private static Dictionary<string, string?> Merge(PrometheusServer server, string testCase, Dictionary<string, string?>? settings)
    {
        var merged = new Dictionary<string, string?>
        {
            ["Facade:Source"] = "Prometheus",
            ["Facade:Prometheus:Url"] = server.Url.ToString(),
            ["Facade:Prometheus:Selector"] = $"{TestLabel}=\"{testCase}\"",
        };
        foreach (var (key, value) in settings ?? []) merged[key] = value;
        return merged;
    }

    [GeneratedRegex("^/api/(?:nodes/(?<node>[^/?]+)(?<batch>/batch)?|pods/(?<pod>[^/?]+))$")]
    private static partial Regex PushPath();
}
