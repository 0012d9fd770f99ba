using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Ingest;
using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace KubeMonitor.Facade.Tests.Ingest;

/// <summary>
/// The direct reader against the general one (System.Text.Json into the contract's objects, then
/// <see cref="SampleValidator"/>), on batches that are right, wrong and odd in every way the
/// reader treats: members in any order, twice, null, of the wrong type, unknown, with escaped
/// keys, values out of range, bad names and timestamps. Property: the direct reader either gives
/// up or stores exactly what the general one does; it never takes what the general one refuses.
/// </summary>
public sealed class DirectBatchReaderTests(ITestOutputHelper output)
{
    private const string NodeName = "node-1";
    private readonly FakeTimeProvider _clock = new(FacadeFactory.Start);

    private SampleValidator Validator => field ??= new SampleValidator(_clock, Options.Create(new FacadeOptions()));

    private DirectBatchReader Direct => field ??= new DirectBatchReader(Validator);

    [Fact]
    public void Odd_batches_are_read_as_the_general_reader_reads_them_or_left_to_it()
    {
        int direct = 0, general = 0, refused = 0;
        Gen.Int.Sample(seed =>
        {
            var body = OddBatch(new Odd(seed));
            var bytes = Encoding.UTF8.GetBytes(body);
            var expected = General(bytes);
            var actual = Direct.TryRead(NodeName, bytes);
            if (actual is null)
            {
                Interlocked.Increment(ref expected is null ? ref refused : ref general);
                return;
            }
            Assert.True(expected is not null, $"the direct reader took a batch the general one refuses: {body}");
            AssertSame(expected, actual, body);
            Interlocked.Increment(ref direct);
        }, iter: 4000);
        output.WriteLine($"read directly {direct}, left to the general reader {general}, refused {refused}");
        // Not a test that passes by giving up on everything: most batches that are right are read directly.
        Assert.True(direct > general, $"read directly {direct}, left to the general reader {general}, refused {refused}");
        Assert.True(refused > 400, $"refused {refused}: the generator should make many wrong batches too");
    }

    [Fact]
    public void A_batch_as_the_exporter_writes_it_is_read_directly()
    {
        var batch = new Batch
        {
            Timestamp = FacadeFactory.Start.AddSeconds(-10),
            Node = new NodeSample
            {
                Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = NodeName },
                Cpu = new CpuSection { UsageSecondsTotal = 1234.5, CapacityCores = 2 },
                Memory = new MemorySection { TotalBytes = 8e9, AvailableBytes = 4e9, UsedBytes = 3e9 },
                Disk = new DiskSection { ReadBytesTotal = 1e6, WriteBytesTotal = 2e6 },
                Network = new NetworkSection { RxBytesTotal = 10, TxBytesTotal = 20 },
            },
            Pods =
            [
                new PodSample
                {
                    Name = "web-7c9f8d6b5-x2x4q", Namespace = "shop", Node = NodeName, Uid = "0f7c-11", OwnerKind = "ReplicaSet",
                    OwnerName = "web-7c9f8d6b5", Labels = new Dictionary<string, string> { ["app"] = "web", ["pod-template-hash"] = "7c9f8d6b5" },
                    Resources = new ResourcesSection { CpuRequestCores = 0.25, MemoryLimitBytes = 512e6 },
                    Cpu = new CpuSection { UsageSecondsTotal = 12.5, ThrottledSecondsTotal = 0.5, ThrottledPeriodsTotal = 3, PeriodsTotal = 100 },
                    Memory = new MemorySection { WorkingSetBytes = 1e8, UsageBytes = 1.2e8, OomKillsTotal = 0 },
                    Disk = new DiskSection { ReadBytesTotal = 5, WriteBytesTotal = 6 },
                    Network = new NetworkSection { RxBytesTotal = 7, TxBytesTotal = 8 },
                    Pressure = new PressureSection { Cpu = new PressureStall { WaitingSecondsTotal = 1, StalledSecondsTotal = 0.5 }, Io = new PressureStall { WaitingSecondsTotal = 2 } },
                    Containers =
                    [
                        new ContainerSample { Name = "web", Cpu = new CpuSection { UsageSecondsTotal = 12 }, Memory = new MemorySection { WorkingSetBytes = 9e7 } },
                        new ContainerSample { Name = "sidecar", Resources = new ResourcesSection { CpuLimitCores = 0.1 }, Cpu = new CpuSection { UsageSecondsTotal = 0.5 } },
                    ],
                },
                new PodSample { Name = "db-0", Namespace = "shop", Timestamp = FacadeFactory.Start.AddSeconds(-11), Cpu = new CpuSection { UsageSecondsTotal = 3 } },
            ],
        };
        // As the exporter sends it: serialized once without sentAt, which each attempt writes first.
        var sentAt = FacadeFactory.Start.AddSeconds(-9);
        var json = JsonSerializer.SerializeToUtf8Bytes(batch, ContractJson.Default.Batch);
        var bytes = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"sentAt\":\"{sentAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\",")).Concat(json[1..]).ToArray();

        var actual = Direct.TryRead(NodeName, bytes);

        Assert.NotNull(actual);
        AssertSame(Validator.Batch(NodeName, batch with { SentAt = sentAt }), actual, Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    // A member twice: the general reader keeps the last; the direct one leaves it to it.
    [InlineData("""{"pods":[{"name":"a","namespace":"n","cpu":{"usageSecondsTotal":1,"usageSecondsTotal":2}}]}""")]
    [InlineData("""{"pods":[{"name":"a","namespace":"n","cpu":{"usageSecondsTotal":1},"cpu":{"usageSecondsTotal":2}}]}""")]
    [InlineData("""{"pods":[{"name":"a","name":"b","namespace":"n"}]}""")]
    [InlineData("""{"pods":[{"name":"a","namespace":"n","labels":{"app":"x","app":"y"}}]}""")]
    // A field of a newer exporter that is not a number: the general reader skips it.
    [InlineData("""{"pods":[{"name":"a","namespace":"n","cpu":{"usageSecondsTotal":1,"newField":"text"}}]}""")]
    [InlineData("""{"pods":[{"name":"a","namespace":"n","cpu":{"usageSecondsTotal":1,"newSection":{"a":1}}}]}""")]
    public void What_the_direct_reader_does_not_read_plainly_it_leaves_to_the_general_one(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.NotNull(General(bytes));
        Assert.Null(Direct.TryRead(NodeName, bytes));
    }

    [Theory]
    [InlineData("""{"pods":[{"name":"a","namespace":"n","cpu":{"usageSecondsTotal":1},"newTopLevel":{"deep":[1,{"x":"y"}]}}],"extra":[true]}""")]
    [InlineData("""{"pods":[{"name":"a","namespace":"n","cpu":{"usageSecondsTotal":1,"capacityCores":4,"later":null}}]}""")]
    [InlineData("""{"pods":[{"n\u0061me":"a","namespace":"n","cpu":{"usageSecondsTotal":1e3}}]}""")]
    [InlineData("""{"node":null,"pods":null}""")]
    public void Unknown_members_nulls_and_escapes_are_read_directly(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var expected = General(bytes);
        Assert.NotNull(expected);
        var actual = Direct.TryRead(NodeName, bytes);
        Assert.NotNull(actual);
        AssertSame(expected, actual, body);
    }

    [Fact]
    public void A_nodes_next_push_takes_the_strings_of_its_last_one_and_only_where_the_text_is_the_same()
    {
        static byte[] Push(string pod, string uid, string app) => Encoding.UTF8.GetBytes(
            $$"""{"pods":[{"name":"{{pod}}","namespace":"shop","uid":"{{uid}}","ownerKind":"ReplicaSet","ownerName":"web-7c9","labels":{"app":"{{app}}"},"containers":[{"name":"web"}]}]}""");
        var first = Direct.TryRead(NodeName, Push("web-7c9-x2x4q", "0f7c-11", "web"))!.Pods[0];

        // The same text, one name written with escapes: every string is the first push's.
        var again = Direct.TryRead(NodeName, Push("web-7c9-x2x4q", "0f7c-11", @"w\u0065b"))!.Pods[0];
        Assert.Same(first.Name, again.Name);
        Assert.Same(first.Uid, again.Uid);
        Assert.Same(first.Namespace, again.Namespace);
        Assert.Same(first.OwnerName, again.OwnerName);
        Assert.Same(first.Containers[0].Name, again.Containers[0].Name);
        Assert.Same(first.Labels!["app"], again.Labels!["app"]);

        // A pod replaced at the same place: its own strings, the rest still shared.
        var replaced = Direct.TryRead(NodeName, Push("web-7c9-zz9pp", "1a2b-22", "web"))!.Pods[0];
        Assert.Equal("web-7c9-zz9pp", replaced.Name);
        Assert.Equal("1a2b-22", replaced.Uid);
        Assert.Same(first.Namespace, replaced.Namespace);

        // Another node has strings of its own.
        var other = Direct.TryRead("node-2", Push("web-7c9-x2x4q", "0f7c-11", "web"))!.Pods[0];
        Assert.Equal(first.Name, other.Name);
        Assert.NotSame(first.Name, other.Name);
    }

    [Fact]
    public void A_string_read_anew_is_the_name_pools_copy_when_the_store_shares_that_name()
    {
        static byte[] Push(string pod) => Encoding.UTF8.GetBytes(
            $$"""{"pods":[{"name":"{{pod}}","namespace":"pool-shop","ownerKind":"ReplicaSet","containers":[{"name":"pool-web"}]}]}""");
        var shared = NamePool.Share(new string("pool-shop".AsSpan()));
        var container = NamePool.Share(new string("pool-web".AsSpan()));

        // Two nodes' first pushes: each reads its strings anew, and takes the pool's copies of the shared names.
        var first = Direct.TryRead("pool-node-1", Push("pool-web-1"))!.Pods[0];
        var second = Direct.TryRead("pool-node-2", Push("pool-web-2"))!.Pods[0];
        Assert.Same(shared, first.Namespace);
        Assert.Same(shared, second.Namespace);
        Assert.Same(container, first.Containers[0].Name);
        Assert.Same(container, second.Containers[0].Name);
        // A pod's own name is read as sent, and reading it does not put it in the pool.
        Assert.Equal("pool-web-1", first.Name);
        var probe = new string("pool-web-1".AsSpan());
        Assert.Same(probe, NamePool.Pooled(probe));
    }

    /// <summary>The general way: the contract's objects, then the validator; null when either refuses.</summary>
    private IngestBatch? General(byte[] body)
    {
        try
        {
            var batch = JsonSerializer.Deserialize(body, ContractJson.Default.Batch);
            return batch is null ? null : Validator.Batch(NodeName, batch);
        }
        catch (Exception e) when (e is JsonException or SampleException)
        {
            return null;
        }
    }

    private static void AssertSame(IngestBatch expected, IngestBatch actual, string body)
    {
        var because = $" of {body}";
        Assert.True(expected.ClockOffsetMs == actual.ClockOffsetMs, "clock offset" + because);
        Assert.True((expected.Node is null) == (actual.Node is null), "node" + because);
        if (expected.Node is { } node)
        {
            Assert.True(node.Name == actual.Node!.Name && node.TimestampMs == actual.Node.TimestampMs, "node name, time" + because);
            AssertRow(node.Values, actual.Node.Values, "node values" + because);
            Assert.True(Equals(node.Labels, actual.Node.Labels), "node labels" + because);
        }
        Assert.True(expected.Pods.Count == actual.Pods.Count, "pod count" + because);
        for (var i = 0; i < expected.Pods.Count; i++)
        {
            var (e, a) = (expected.Pods[i], actual.Pods[i]);
            Assert.True(
                (e.Namespace, e.Name, e.Node, e.Uid, e.OwnerKind, e.OwnerName, e.Deployment, e.TimestampMs)
                == (a.Namespace, a.Name, a.Node, a.Uid, a.OwnerKind, a.OwnerName, a.Deployment, a.TimestampMs), $"pods[{i}]" + because);
            AssertRow(e.Values, a.Values, $"pods[{i}] values" + because);
            Assert.True(Equals(e.Labels, a.Labels), $"pods[{i}] labels" + because);
            Assert.True(e.Containers.Length == a.Containers.Length, $"pods[{i}] containers" + because);
            for (var c = 0; c < e.Containers.Length; c++)
            {
                Assert.True(e.Containers[c].Name == a.Containers[c].Name, $"pods[{i}].containers[{c}]" + because);
                AssertRow(e.Containers[c].Values, a.Containers[c].Values, $"pods[{i}].containers[{c}] values" + because);
            }
        }
    }

    private static void AssertRow(double[] expected, double[] actual, string what) =>
        Assert.True(expected.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(actual.Select(BitConverter.DoubleToInt64Bits)), what);

    // ---- odd batches -------------------------------------------------------------------------

    /// <summary>The random source of one batch. Half of the batches are <see cref="Wrong"/> nowhere, so that many are taken.</summary>
    private sealed class Odd(int seed) : Random(seed)
    {
        private readonly bool _wrongs = seed % 2 == 0;

        public bool Chance(int percent) => Next(100) < percent;

        /// <summary>A chance of something the contract refuses, in the batches that may have any.</summary>
        public bool Wrong(int percent) => _wrongs && Chance(percent);

        public string Pick(params string[] choices) => choices[Next(choices.Length)];
    }

    private static readonly string[] GoodNumbers = ["0", "1", "12.5", "1e3", "4.9e-324", "18446744073709551616", "1.8446744073709552e19", "-0", "123456789012"];
    private static readonly string[] BadValues = ["-1", "1e400", "18446744073709551617", "\"1\"", "true", "{}", "[]", "[1]", "\"\""];
    private static readonly string[] GoodNames = ["a", "web-1", "web-7c9f8d6b5-x2x4q", "x.y", "n1"];
    private static readonly string[] BadNames = ["", "A", "a_b", "-a", "a..b", "😀", "a b"];
    private static readonly string[] UnknownValues = ["1", "null", "\"text\"", "true", "{\"a\":[1,{\"b\":null}]}", "[]", "-5"];

    private static string Json(string text) => JsonSerializer.Serialize(text);

    private static string Number(Odd r) => r.Wrong(4) ? r.Pick(BadValues) : r.Chance(5) ? "null" : r.Pick(GoodNumbers);

    private static string Name(Odd r, bool dots = true)
    {
        if (r.Wrong(2)) return r.Pick("null", "7", "{}");
        var name = r.Wrong(4) ? r.Pick(BadNames) : r.Pick(GoodNames);
        return Json(dots ? name : name.Replace('.', '-'));
    }

    private static string Timestamp(Odd r) =>
        r.Wrong(5)
            ? r.Pick("\"not a date\"", "\"2026-13-45T00:00:00Z\"", "12345", "[]")
            : r.Chance(5)
                ? r.Pick("\"2026-11-26T06:00:00\"", "\"2026-11-26T15:00:00+09:00\"")
                : Json(FacadeFactory.Start.AddSeconds(r.Next(-4000, r.Wrong(20) ? 400 : 200)).AddMilliseconds(r.Next(1000)).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));

    private static string Section(Odd r, params string[] fields) =>
        Object(r, fields.Where(_ => r.Chance(70)).Select(f => (f, Number(r))));

    private static string Labels(Odd r) =>
        r.Wrong(5)
            ? r.Pick("[]", "\"app=web\"", "{\"a\":null}", "{\"a\":1}", "{\"-a\":\"b\"}", "{\"a\":\"-\"}",
                "{" + string.Join(',', Enumerable.Range(0, 65).Select(i => $"\"k{i}\":\"v\"")) + "}")
            : Object(r, new[] { ("app", "\"web\""), ("app.kubernetes.io/name", "\"web\""), ("tier", "\"\""), ("release", "\"r-1\"") }.Where(_ => r.Chance(60)));

    private static string Container(Odd r) => Object(r, Present(r,
        ("name", r.Wrong(5) ? "null" : Name(r, dots: false), r.Wrong(5) ? 0 : 100),
        ("cpu", Section(r, "usageSecondsTotal", "throttledSecondsTotal", "throttledPeriodsTotal", "periodsTotal", "capacityCores"), 80),
        ("memory", Section(r, "workingSetBytes", "oomKillsTotal", "usageBytes"), 70),
        ("resources", Section(r, "cpuRequestCores", "cpuLimitCores", "memoryRequestBytes", "memoryLimitBytes"), 40)));

    private static string Pod(Odd r)
    {
        var containers = Enumerable.Range(0, r.Next(0, 4)).Select(_ => Container(r)).ToList();
        if (containers.Count > 0 && r.Wrong(5)) containers.Add(containers[0]);
        if (r.Wrong(3)) containers.Add("null");
        return Object(r, Present(r,
            ("name", Name(r), r.Wrong(4) ? 0 : 100),
            ("namespace", Name(r, dots: false), r.Wrong(4) ? 0 : 100),
            ("timestamp", r.Chance(10) ? "null" : Timestamp(r), 50),
            ("node", r.Wrong(10) ? "5" : Json(NodeName), 30),
            ("uid", r.Wrong(5) ? r.Pick("\"\"", "\"a\\u0001b\"", "3") : Json("uid-" + r.Next(1000)), 60),
            ("ownerKind", Json(r.Wrong(20) ? r.Pick("weird kind", "") : r.Pick("ReplicaSet", "Job", "StatefulSet")), 50),
            ("ownerName", Name(r), 50),
            ("deployment", Name(r), 30),
            ("labels", Labels(r), 50),
            ("cpu", Section(r, "usageSecondsTotal", "throttledSecondsTotal", "throttledPeriodsTotal", "periodsTotal", "capacityCores"), 90),
            ("memory", Section(r, "workingSetBytes", "usageBytes", "oomKillsTotal", "totalBytes"), 80),
            ("disk", Section(r, "readBytesTotal", "writeBytesTotal"), 60),
            ("network", Section(r, "rxBytesTotal", "txBytesTotal"), 60),
            ("resources", Section(r, "cpuRequestCores", "cpuLimitCores", "memoryRequestBytes", "memoryLimitBytes"), 50),
            ("pressure", Object(r, Present(r,
                ("cpu", Section(r, "waitingSecondsTotal", "stalledSecondsTotal"), 70),
                ("memory", Section(r, "waitingSecondsTotal", "stalledSecondsTotal"), 50),
                ("io", Section(r, "waitingSecondsTotal", "stalledSecondsTotal"), 50))), 30),
            ("containers", r.Chance(3) ? "null" : "[" + string.Join(',', containers) + "]", 80)));
    }

    private static string OddBatch(Odd r)
    {
        var pods = Enumerable.Range(0, r.Next(0, 5)).Select(_ => Pod(r)).ToList();
        if (r.Wrong(3)) pods.Add("null");
        var node = Object(r, Present(r,
            ("timestamp", Timestamp(r), 30),
            ("labels", Labels(r), 50),
            ("cpu", Section(r, "usageSecondsTotal", "capacityCores", "throttledSecondsTotal"), 90),
            ("memory", Section(r, "totalBytes", "availableBytes", "usedBytes", "workingSetBytes"), 90),
            ("disk", Section(r, "readBytesTotal", "writeBytesTotal"), 60),
            ("network", Section(r, "rxBytesTotal", "txBytesTotal"), 60),
            ("resources", Section(r, "cpuRequestCores"), 5)));
        var batch = Object(r, Present(r,
            ("timestamp", Timestamp(r), 80),
            // A sender's clock behind (a sentAt in the past, every timestamp shifted on) or ahead of the facade's.
            ("sentAt", r.Wrong(30) ? Timestamp(r) : Json(FacadeFactory.Start.AddSeconds(r.Chance(50) ? r.Next(-2, 2) : r.Next(-1200, 1200)).UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), 40),
            ("node", r.Chance(5) ? "null" : r.Wrong(5) ? r.Pick("[]", "1") : node, 85),
            ("pods", r.Chance(3) ? "null" : r.Wrong(3) ? r.Pick("{}", "[1]") : "[" + string.Join(',', pods) + "]", 95)));
        return r.Chance(2) ? batch + r.Pick(" ", "\n") : r.Wrong(2) ? batch + r.Pick(" x", "{}", ",") : batch;
    }

    private static List<(string Key, string Value)> Present(Odd r, params (string Key, string Value, int Percent)[] members) =>
        members.Where(m => r.Chance(m.Percent)).Select(m => (m.Key, m.Value)).ToList();

    /// <summary>An object of <paramref name="members"/> in a random order, at times with one twice, an unknown one, an escaped key, white space.</summary>
    private static string Object(Odd r, IEnumerable<(string Key, string Value)> members)
    {
        var list = members.ToList();
        if (list.Count > 0 && r.Chance(2))
        {
            var twice = list[r.Next(list.Count)];
            list.Add((twice.Key, r.Wrong(50) ? list[r.Next(list.Count)].Value : twice.Value));
        }
        if (r.Chance(3)) list.Add(("x" + r.Next(3), r.Pick(UnknownValues)));
        var shuffled = list.OrderBy(_ => r.Next()).ToList();
        var space = r.Chance(10) ? " \n " : "";
        return "{" + space + string.Join("," + space, shuffled.Select(m => $"{Key(r, m.Key)}:{space}{m.Value}")) + space + "}";
    }

    private static string Key(Odd r, string key) =>
        r.Chance(3) ? $"\"\\u{(int)key[0]:x4}{key[1..]}\"" : r.Wrong(2) ? Json(key.ToUpperInvariant()) : Json(key);
}
