using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// The facade in memory with a fake clock (starting at <see cref="Start"/>) and optional
/// settings; helpers to push and read JSON. <see cref="Prometheus.PrometheusFacadeFactory"/> is the
/// same facade reading a real Prometheus, whose pushes go there instead.
/// </summary>
public class FacadeFactory(Dictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    internal ISampleStore Store => Services.GetRequiredService<ISampleStore>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings ?? []) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>An ISO timestamp <paramref name="seconds"/> after <see cref="Start"/>.</summary>
    public static string At(double seconds) => Start.AddSeconds(seconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Moves the clock to <see cref="Start"/> + seconds (the sweep's timer fires on the way).</summary>
    public void SetTime(double seconds)
    {
        var target = Start.AddSeconds(seconds);
        var delta = target - Clock.GetUtcNow();
        if (delta > TimeSpan.Zero) Clock.Advance(delta);
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json, string contentType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return await CreateClient().PostAsync(new Uri(path, UriKind.Relative), content);
    }

    /// <summary>Stores a push body as the facade would take it from a collector (here: POSTed to it, and it must answer 202).</summary>
    public virtual async Task PushAsync(string path, object body)
    {
        using var response = await CreateClient().PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await CreateClient().GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Asserts an error answer: the status and an application/problem+json body with status, title and detail.</summary>
    public static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        return problem;
    }

    /// <summary>Asserts that every number in an answer is finite (System.Text.Json reads NaN or Infinity only from strings).</summary>
    public static void AssertNumbersFinite(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o) AssertNumbersFinite(value, path);
                break;
            case JsonArray a:
                foreach (var value in a) AssertNumbersFinite(value, path);
                break;
            case JsonValue v when v.TryGetValue<double>(out var d):
                Assert.True(double.IsFinite(d), $"{path}: {d}");
                break;
        }
    }

    public async Task<JsonNode> GetProblemAsync(string path, int status)
    {
        using var response = await CreateClient().GetAsync(new Uri(path, UriKind.Relative));
        return await AssertProblemAsync(response, status);
    }
}

/// <summary>Sample bodies as anonymous objects (camelCase by System.Net.Http.Json's web defaults).</summary>
internal static class Bodies
{
    public static object Node(double t, double cpu, double capacity = 4, double total = 1000, double available = 600,
        double? read = null, double? write = null, double? rx = null, double? tx = null) => new
    {
        timestamp = FacadeFactory.At(t),
        cpu = new { usageSecondsTotal = cpu, capacityCores = capacity },
        memory = new { totalBytes = total, availableBytes = available, usedBytes = total - available },
        disk = read is null ? null : new { readBytesTotal = read, writeBytesTotal = write },
        network = rx is null ? null : new { rxBytesTotal = rx, txBytesTotal = tx },
    };

    public static object Pod(double t, string ns, double cpu, double workingSet = 100, double usage = 200,
        string? node = "node-1", string? deployment = null, string? ownerKind = null, string? ownerName = null,
        double? read = null, double? write = null, double? rx = null, double? tx = null, string? name = null,
        object[]? containers = null) => new
    {
        name,
        timestamp = FacadeFactory.At(t),
        @namespace = ns,
        node,
        uid = "4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11",
        ownerKind,
        ownerName,
        deployment,
        cpu = new { usageSecondsTotal = cpu },
        memory = new { usageBytes = usage, workingSetBytes = workingSet },
        disk = read is null ? null : new { readBytesTotal = read, writeBytesTotal = write },
        network = rx is null ? null : new { rxBytesTotal = rx, txBytesTotal = tx },
        containers,
    };

    public static object Container(string name, double cpu, double workingSet) =>
        new { name, cpu = new { usageSecondsTotal = cpu }, memory = new { workingSetBytes = workingSet } };
}
