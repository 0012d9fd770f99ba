using System.Globalization;
using System.Net;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Push;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace KubeMonitor.Exporter.Tests.Push;

/// <summary>The pusher as the exporter wires it (DI, IHttpClientFactory, resilience handler), with short back-off.</summary>
internal sealed class PushHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    public PushHarness(IReadOnlyList<Uri> facades, Func<PushOptions, PushOptions>? tune = null, IFacadeResolver? resolver = null)
    {
        var options = new PushOptions
        {
            FacadeUrls = facades,
            Interval = TimeSpan.FromMilliseconds(200),
            BufferDuration = TimeSpan.FromMinutes(1),
            // Generous: a first request to a cold WireMock on a loaded CI machine can take seconds,
            // and a timed-out attempt that the server did answer would be retried (and counted).
            AttemptTimeout = TimeSpan.FromSeconds(15),
            TotalTimeout = TimeSpan.FromSeconds(40),
            MaxRetryAttempts = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            CircuitBreakDuration = TimeSpan.FromMilliseconds(500),
        };
        Options = tune?.Invoke(options) ?? options;
        var services = new ServiceCollection().AddLogging();
        if (resolver is not null) services.AddSingleton(resolver);
        services.AddSingleton(Registry).AddFacadePush(Options);
        _services = services.BuildServiceProvider();
        Pusher = _services.GetRequiredService<FacadePusher>();
    }

    public PushOptions Options { get; }
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();
    public FacadePusher Pusher { get; }

    /// <summary>Batch number <paramref name="i"/> of the stream: one second after the previous one.</summary>
    public static Batch Numbered(int i) => new()
    {
        Timestamp = Start.AddSeconds(i),
        Node = new NodeSample { Cpu = new CpuSection { UsageSecondsTotal = i, CapacityCores = 2 } },
        Pods = [],
    };

    public static int NumberOf(Batch batch) => (int)(batch.Timestamp!.Value - Start).TotalSeconds;

    public Task PushAsync(int i) => Pusher.PushAsync("node-1", Numbered(i));

    /// <summary>A value of the exporter's registry, 0 when the series does not exist.</summary>
    public double Metric(string name, params (string Label, string Value)[] labels)
    {
        using var stream = new MemoryStream();
        Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal)) continue;
            if (!labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal))) continue;
            return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public string Dump()
    {
        using var stream = new MemoryStream();
        Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public double Batches(string target, string result) =>
        Metric("kubemonitor_exporter_push_batches_total", ("target", target), ("result", result));

    public double Buffered(string target) => Metric("kubemonitor_exporter_push_buffered_batches", ("target", target));

    public double Retries(string target) => Metric("kubemonitor_exporter_push_retries_total", ("target", target));

    /// <summary>Waits for a condition, bounded; no timing is asserted, only that it becomes true.</summary>
    public static async Task WaitUntil(Func<bool> condition, Func<string> what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Not reached within " + seconds + " s: " + what());
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for a condition of this pusher; the failure message carries its metrics.</summary>
    public Task Until(Func<bool> condition, string what) => WaitUntil(condition, () => what + "\n" + Dump());

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
    }
}

/// <summary>Resolves one name to loopback addresses, like a headless Service whose ready pods change.</summary>
internal sealed class FixedResolver(string host, params IPAddress[] addresses) : IFacadeResolver
{
    public IPAddress[] Addresses { get; set; } = addresses;

    public Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken) =>
        name == host ? Task.FromResult(Addresses) : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
}
