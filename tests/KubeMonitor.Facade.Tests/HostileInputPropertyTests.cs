using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// Property: whatever a client sends (extreme and malformed numbers, odd names and encodings,
/// odd timestamps and clock offsets, duplicate pods and containers, thousands of pods, deep JSON,
/// wrong methods and media types, odd query strings), the facade never answers a 5xx, a refused
/// push leaves the store as it was, every view stays readable with finite numbers, and a plain
/// push still works at the end. CsCheck generates the requests (1,000+ per run, one at a time).
/// </summary>
public sealed class HostileInputPropertyTests : IDisposable
{
    private const int Iterations = 1200;
    private readonly FacadeFactory _facade = new(new()
    {
        ["Facade:Staleness"] = "00:01:00",
        ["Facade:MaxSeries"] = "20000",
    });
    private readonly HttpClient _client;
    private int _tick;

    public HostileInputPropertyTests() => _client = _facade.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _facade.Dispose();
    }

    /// <summary>One generated request: method, path and query, content type and body (null: none).</summary>
    public sealed record HostileRequest(string Method, string Path, string? ContentType, byte[]? Body)
    {
        public bool IsPush => Method == "POST" && Path.StartsWith("/api/", StringComparison.Ordinal);

        public override string ToString() =>
            $"{Method} {Path} [{ContentType}] {(Body is null ? "" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 600)))}";
    }

    // ---- generators -------------------------------------------------------------------------

    private static readonly Gen<string> GoodNumber = Gen.OneOf(
        Gen.Int[0, 1_000_000].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Double[0, 1e12].Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
        Gen.OneOf("0", "18446744073709551616", "1.8446744073709552e19", "1e-320", "4.9e-324", "0.0", "1e19"));

    private static readonly Gen<string> BadNumber = Gen.OneOf(
        "-1", "-0.5", "-1e308", "1e308", "1.7976931348623157e308", "18446744073709551617", "1.8446744073709556e19", "1e400",
        "NaN", "Infinity", "-Infinity", "\"1\"", "true", "null", "[]", "{}", "[1]", "00", "1.", ".5", "0x10", "+1", "1e", "--1", "\"\"");

    private static readonly Gen<string> Number = Gen.Frequency((6, GoodNumber), (1, BadNumber));

    private static readonly Gen<string> GoodName = Gen.OneOf("a", "b", "web-1", "web-7c9f8d6b5-x2x4q", "x.y", "node-1", "n1", "a0");

    private static readonly Gen<string> BadName = Gen.OneOf(
        "", "A", "UPPER", new string('a', 254), new string('b', 64), "ä", "a_b", "-a", "a-", "a..b", ".a", "\u0000", "\u200b", "😀",
        "a b", "x/y", "%2F", "..", "a\nb", "<script>", "'; DROP", "\ud800", "a%00");

    private static readonly Gen<string> Name = Gen.Frequency((8, GoodName), (1, BadName));

    /// <summary>A name as a path segment. TestServer's client refuses a NUL in a path before sending it; real Kestrel gets one in ProcessTests.</summary>
    private static string Segment(string name) => Uri.EscapeDataString(name).Replace("%00", "%01", StringComparison.Ordinal);

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>A JSON timestamp relative to the facade's fake clock, or something that is not one.</summary>
    private Gen<string> Timestamp => Gen.Frequency(
        (8, Gen.Int[-4000, 400].Select(s => Json(Iso(_facade.Clock.GetUtcNow().AddSeconds(s))))),
        (1, Gen.OneOf(
            "\"2026-13-45T00:00:00Z\"", "\"not a date\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"2026-11-26T07:00:00\"",
            "\"2026-11-26T16:00:00+09:00\"", "12345", "null", "\"\"", "[]", "\"2026-11-26T07:00:00.123456789Z\"")));

    private static Gen<string> Section(params string[] fields) =>
        Gen.Bool.Array[fields.Length].SelectMany(present => Number.Array[fields.Length].Select(values =>
            "{" + string.Join(',', fields.Where((_, i) => present[i]).Select((f, i) => $"\"{f}\":{values[i]}")) + "}"));

    private static Gen<string> Container => Gen.Select(
        Name, Section("usageSecondsTotal", "throttledSecondsTotal", "throttledPeriodsTotal", "periodsTotal"), Section("workingSetBytes", "oomKillsTotal"),
        Section("cpuRequestCores", "cpuLimitCores", "memoryRequestBytes", "memoryLimitBytes"),
        (name, cpu, memory, resources) => $$"""{"name":{{Json(name)}},"resources":{{resources}},"cpu":{{cpu}},"memory":{{memory}}}""");

    /// <summary>Labels (docs/api.md section 6) as a first member of an object, or nothing: good ones, and ones Kubernetes refuses.</summary>
    private static readonly Gen<string> Labels = Gen.Frequency(
        (4, Gen.Const("")),
        (3, Gen.OneOf("""{"app":"web"}""", """{"app":"web","app.kubernetes.io/name":"web","empty":""}""", "{}").Select(l => $"\"labels\":{l},")),
        (1, Gen.OneOf(
            """{"-a":"b"}""", """{"a":"-"}""", """{"a":null}""", """{"a":1}""", "[]", "\"app=web\"", """{"A_/b":"c"}""", """{"":"x"}""",
            """{"a":"\u0000"}""", "{" + string.Join(',', Enumerable.Range(0, 65).Select(i => $"\"k{i}\":\"v\"")) + "}").Select(l => $"\"labels\":{l},")));

    /// <summary>A pod's requests and limits and its pressure counters, as first members of an object.</summary>
    private static Gen<string> PodExtras => Gen.Select(
        Section("cpuRequestCores", "cpuLimitCores", "memoryRequestBytes", "memoryLimitBytes"),
        Section("waitingSecondsTotal", "stalledSecondsTotal"), Section("waitingSecondsTotal", "stalledSecondsTotal"),
        (resources, cpu, io) => $"\"resources\":{resources},\"pressure\":{{\"cpu\":{cpu},\"io\":{io}}},");

    private Gen<string> Pod => Gen.Select(
        Name, Gen.Frequency((8, GoodName.Where(n => !n.Contains('.', StringComparison.Ordinal))), (1, BadName)), Timestamp,
        Section("usageSecondsTotal", "throttledSecondsTotal", "throttledPeriodsTotal", "periodsTotal"),
        Section("usageBytes", "workingSetBytes", "oomKillsTotal"), Section("readBytesTotal", "writeBytesTotal"),
        Section("rxBytesTotal", "txBytesTotal"),
        Gen.Frequency((10, Container.Array[0, 3]), (1, Container.Array[40, 60])))
        .Select(Gen.Bool, Gen.OneOf("Deployment", "ReplicaSet", "Job", "weird kind", ""),
            (p, withOwner, kind) =>
            {
                var (name, ns, timestamp, cpu, memory, disk, network, containers) = p;
                var owner = withOwner ? $",\"ownerKind\":{Json(kind)},\"ownerName\":{Json(name + "-1")}" : "";
                return $$"""{"name":{{Json(name)}},"namespace":{{Json(ns)}},"timestamp":{{timestamp}},"uid":{{Json(name + "-uid")}}{{owner}},"cpu":{{cpu}},"memory":{{memory}},"disk":{{disk}},"network":{{network}},"containers":[{{string.Join(',', containers)}}]}""";
            })
        .Select(Labels, PodExtras, (pod, labels, extras) => "{" + labels + extras + pod[1..]);

    private Gen<string> Batch => Gen.Select(
        Gen.Frequency((6, Timestamp), (1, Gen.Const("null"))),
        Gen.Frequency((3, Timestamp), (1, Gen.Const("null")), (1, Gen.Int[-1200, 1200].Select(s => Json(Iso(_facade.Clock.GetUtcNow().AddSeconds(s)))))),
        Gen.Select(Section("usageSecondsTotal", "capacityCores"), Section("totalBytes", "availableBytes", "usedBytes"), Section("readBytesTotal", "writeBytesTotal"), Labels),
        Gen.Frequency((30, Pod.Array[0, 6]), (1, Pod.Array[1500, 2500])),
        Gen.Frequency((20, Gen.Const("")), (1, Gen.Int[10, 200].Select(depth => ",\"deep\":" + new string('[', depth) + new string(']', depth))),
            (1, Gen.Const(",\"unknown\":{\"a\":[1,2,{\"b\":null}]}"))),
        Gen.Frequency((8, Gen.Const(false)), (1, Gen.Const(true))),
        (timestamp, sentAt, node, pods, extra, duplicate) =>
        {
            var (cpu, memory, disk, labels) = node;
            var podList = duplicate && pods.Length > 0 ? [.. pods, pods[0]] : pods;
            return $$"""{"timestamp":{{timestamp}},"sentAt":{{sentAt}},"node":{{{labels}}"cpu":{{cpu}},"memory":{{memory}},"disk":{{disk}}},"pods":[{{string.Join(',', podList)}}]{{extra}}}""";
        });

    private static readonly Gen<string> MediaType = Gen.Frequency(
        (12, Gen.Const("application/json")),
        (1, Gen.OneOf("text/plain", "application/json; charset=latin1", "application/json; charset=utf-8", "application/merge-patch+json",
            "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=\"utf-8\"", "*/*", "")));

    private static byte[] Encode(string body, int encoding) => encoding switch
    {
        0 => [0xFF, 0xFE, .. Encoding.UTF8.GetBytes(body)],      // not UTF-8
        1 => Encoding.Unicode.GetBytes(body),                    // UTF-16
        2 => [.. Encoding.UTF8.GetBytes(body)[..(body.Length / 2)]], // cut short
        _ => Encoding.UTF8.GetBytes(body),
    };

    private Gen<HostileRequest> Push => Gen.Select(
        Gen.Frequency((6, Gen.Const("batch")), (2, Gen.Const("node")), (2, Gen.Const("pod"))),
        Name, Batch, Pod, MediaType, Gen.Frequency((20, Gen.Const(3)), (1, Gen.Int[0, 2])),
        Gen.Frequency((20, Gen.Const("POST")), (1, Gen.OneOf("PUT", "PATCH", "DELETE", "GET", "HEAD", "OPTIONS"))),
        (kind, name, batch, pod, media, encoding, method) =>
        {
            var escaped = Segment(name);
            var (path, body) = kind switch
            {
                "batch" => ($"/api/nodes/{escaped}/batch", batch),
                "node" => ($"/api/nodes/{escaped}", batch.Replace("\"pods\":", "\"ignored\":", StringComparison.Ordinal)),
                _ => ($"/api/pods/{escaped}", pod),
            };
            return new HostileRequest(method, path, media, Encode(body, encoding));
        });

    private static readonly Gen<string> QueryValue = Gen.OneOf(
        "1", "5", "60", "300", "3600", "3601", "0", "-1", "1e3", "1.5", "abc", "", "99999999999", "%00", "%ZZ", "+5", " 5", "0x10",
        "a", "node-1", "web-1", "UPPER", "a%2Fb", "%01", "ZZZZ", "bnMvd2ViLTE", "10000", "10001",
        "app%3Dweb", "!app", "app%20in%20(web%2Cx)", "app%20notin%20()", "a%3D(b)", "a%20in%20(", "app%21%3D", "%3D%3D", "a%2C%2Cb");

    private static readonly Gen<string> Query = Gen.Select(
        Gen.OneOf("window", "step", "namespace", "node", "limit", "continue", "labelSelector", "unknown", "window"), QueryValue)
        .Select(p => $"{p.Item1}={p.Item2}").Array[0, 4].Select(parts => parts.Length == 0 ? "" : "?" + string.Join('&', parts));

    private static readonly Gen<HostileRequest> Read = Gen.Select(
        Gen.OneOf("/api/nodes", "/api/nodes/{0}", "/api/pods", "/api/pods/{0}", "/api/namespaces", "/api/namespaces/{0}",
            "/api/namespaces/{0}/pods", "/api/namespaces/{0}/deployments", "/api/namespaces/{0}/deployments/{0}", "/api/nodes/{0}/batch",
            "/api", "/api/", "/", "/metrics", "/livez", "/readyz", "/openapi/v1.json", "/api/pods/{0}/x"),
        Name, Query, Gen.Frequency((15, Gen.Const("GET")), (1, Gen.OneOf("HEAD", "DELETE", "PUT", "TRACE"))),
        (template, name, query, method) => new HostileRequest(method, string.Format(CultureInfo.InvariantCulture, template, Segment(name)) + query, null, null));

    private Gen<HostileRequest> Request => Gen.Frequency((3, Push), (1, Read));

    // ---- the property -----------------------------------------------------------------------

    [Fact]
    public async Task Hostile_pushes_and_queries_never_give_a_5xx_nor_half_store_anything()
    {
        var count = 0;
        var takenWithLabels = 0;
        await Request.SampleAsync(async request =>
        {
            count++;
            // Time moves on, so samples expire and entities go stale while the run goes on.
            if (++_tick % 5 == 0) _facade.Clock.Advance(TimeSpan.FromSeconds(3));
            var before = await StoreFingerprintAsync();
            var (status, text) = await SendAsync(request);
            Assert.True(status < 500, $"{status} for {request}: {text}");
            if (request.IsPush && status is not (202 or 204))
            {
                Assert.Equal(before, await StoreFingerprintAsync());
            }
            else if (request.IsPush && request.ToString().Contains("\"labels\":{\"", StringComparison.Ordinal))
            {
                takenWithLabels++;
            }
            await ReadEveryViewAsync(request);
        }, iter: Iterations, threads: 1);
        Assert.Equal(Iterations, count);
        Assert.True(takenWithLabels > 0, "no push with labels was taken: the generator only makes refused ones");

        // A plain push still works and is seen.
        _facade.Clock.Advance(TimeSpan.FromSeconds(10));
        var now = Iso(_facade.Clock.GetUtcNow());
        using var plain = await _facade.PostJsonAsync("/api/nodes/plain-node/batch",
            $$$"""{"timestamp":"{{{now}}}","node":{"cpu":{"usageSecondsTotal":5,"capacityCores":2}},"pods":[{"name":"plain-pod","namespace":"plain","cpu":{"usageSecondsTotal":1}}]}""");
        Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
        Assert.Equal("plain", (string?)(await _facade.GetJsonAsync("/api/pods/plain-pod"))["namespace"]);
        Assert.Equal(2.0, (double)(await _facade.GetJsonAsync("/api/nodes/plain-node"))["cpu"]!["capacityCores"]!);
    }

    private async Task<(int Status, string Text)> SendAsync(HostileRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.Path, UriKind.Relative));
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (!string.IsNullOrEmpty(request.ContentType) && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var media))
            {
                message.Content.Headers.ContentType = media;
            }
        }
        using var response = await _client.SendAsync(message);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>What a refused push must not change: every latest view, with its timestamp, rates and values.</summary>
    private async Task<string> StoreFingerprintAsync() =>
        await GetOkAsync("/api/nodes") + await GetOkAsync("/api/pods") + _facade.Store.SeriesCount.ToString(CultureInfo.InvariantCulture);

    private async Task<string> GetOkAsync(string path)
    {
        using var response = await _client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        FacadeFactory.AssertNumbersFinite(JsonNode.Parse(text), path);
        return text;
    }

    /// <summary>Every list, and every view (latest and over the whole retention) of the entities the request named or touched.</summary>
    private async Task ReadEveryViewAsync(HostileRequest request)
    {
        var pods = JsonNode.Parse(await GetOkAsync("/api/pods"))!["items"]!.AsArray();
        var nodes = JsonNode.Parse(await GetOkAsync("/api/nodes"))!["items"]!.AsArray();
        var namespaces = JsonNode.Parse(await GetOkAsync("/api/namespaces"))!["items"]!.AsArray();
        var paths = new List<string>();
        // Bounded per iteration: the entities of this request's path first, then a few others.
        foreach (var node in nodes.Take(3)) paths.AddRange(Views($"/api/nodes/{(string?)node!["name"]}"));
        foreach (var pod in pods.Where(p => request.Path.Contains((string)p!["name"]!, StringComparison.Ordinal)).Concat(pods.Take(2)).Take(4))
        {
            paths.AddRange(Views($"/api/pods/{(string?)pod!["name"]}?namespace={(string?)pod["namespace"]}", "&"));
        }
        foreach (var ns in namespaces.Take(3))
        {
            var name = (string?)ns!["name"];
            paths.AddRange(Views($"/api/namespaces/{name}"));
            paths.Add($"/api/namespaces/{name}/pods");
            var deployments = JsonNode.Parse(await GetOkAsync($"/api/namespaces/{name}/deployments"))!["items"]!.AsArray();
            foreach (var deployment in deployments.Take(2)) paths.AddRange(Views($"/api/namespaces/{name}/deployments/{(string?)deployment!["name"]}"));
        }
        foreach (var path in paths) await GetOkAsync(path);
    }

    private static IEnumerable<string> Views(string path, string separator = "?") =>
        [path, $"{path}{separator}window=60", $"{path}{separator}window=3600&step=7"];
}
