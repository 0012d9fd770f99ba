using System.Net;
using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Push;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static KubeMonitor.Exporter.Tests.Push.PushHarness;

namespace KubeMonitor.Exporter.Tests.Push;

/// <summary>The pusher against WireMock facades on loopback, through the real HttpClient and resilience pipeline.</summary>
public sealed class FacadePusherTests
{
    private static string Target(FakeFacade facade) => $"{facade.Address}:{facade.Port}";

    [Fact]
    public async Task Sends_the_contract_json_of_a_snapshot_to_the_batch_endpoint()
    {
        using var facade = FakeFacade.Start();
        await using var push = new PushHarness([facade.Url]);

        var before = DateTimeOffset.UtcNow;
        await push.Pusher.PushAsync(BatchMapperTests.FullSnapshot());
        await push.Until(() => push.Batches(Target(facade), "sent") == 1, "batch sent");
        var after = DateTimeOffset.UtcNow;

        var request = Assert.Single(facade.Requests).RequestMessage;
        Assert.Equal("POST", request.Method);
        Assert.Equal(FakeFacade.BatchPath, request.Path);
        Assert.StartsWith("application/json", request.Headers!["Content-Type"].Single(), StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("Authorization"));

        var batch = JsonSerializer.Deserialize(request.BodyAsBytes!, ContractJson.Default.Batch)!;
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 0, 5, TimeSpan.Zero), batch.Timestamp);
        Assert.InRange(batch.SentAt!.Value, before.AddMilliseconds(-1), after); // this exporter's clock at the send, to the millisecond
        Assert.Equal(81234.5, batch.Node!.Cpu!.UsageSecondsTotal);
        Assert.Equal(4, batch.Node.Cpu.CapacityCores);
        Assert.Equal(3_220_000_000, batch.Node.Memory!.UsedBytes);
        Assert.Equal(1530, batch.Node.Disk!.ReadBytesTotal);   // sda + nvme0n1 + dm-0
        Assert.Equal(2640, batch.Node.Disk.WriteBytesTotal);
        Assert.Equal(5070, batch.Node.Network!.RxBytesTotal);  // lo's 9999999 left out
        Assert.Equal(4080, batch.Node.Network.TxBytesTotal);
        var pod = Assert.Single(batch.Pods!);
        Assert.Equal(("test-dep-7c9f8d6b5-x2x4q", "test-ns", "test-dep"), (pod.Name, pod.Namespace, pod.Deployment));
        Assert.Equal(["app", "sidecar"], pod.Containers!.Select(c => c.Name));
        Assert.Equal(1, push.Metric("kubemonitor_exporter_push_unnamed_pods"));

        // The wire shape itself: camelCase fields of docs/api.md, nulls left out.
        using var json = JsonDocument.Parse(request.BodyAsBytes!);
        Assert.Equal(["sentAt", "timestamp", "node", "pods"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", json.RootElement.GetProperty("sentAt").GetString());
        Assert.Equal(request.BodyAsBytes!.Length, int.Parse(request.Headers["Content-Length"].Single(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["usageSecondsTotal", "capacityCores"], json.RootElement.GetProperty("node").GetProperty("cpu").EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["name", "namespace", "uid", "ownerKind", "ownerName", "deployment", "cpu", "memory", "disk", "network", "containers"],
            json.RootElement.GetProperty("pods")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_503_is_retried_and_the_batch_delivered_once()
    {
        using var facade = FakeFacade.Start(map: server =>
        {
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("flaky").WillSetStateTo("up")
                .RespondWith(Response.Create().WithStatusCode(503));
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("flaky").WhenStateIs("up")
                .RespondWith(Response.Create().WithStatusCode(202));
        });
        await using var push = new PushHarness([facade.Url]);

        await push.PushAsync(1);
        await push.Until(() => push.Batches(Target(facade), "sent") == 1, "batch sent");

        Assert.Equal([503, 202], facade.Requests.Select(e => (int)e.ResponseMessage.StatusCode!));
        Assert.Equal([1], facade.Accepted.Select(NumberOf));
        Assert.Equal(1, push.Retries(Target(facade)));
        Assert.Equal(0, push.Buffered(Target(facade)));
    }

    [Fact]
    public async Task A_429_is_retried()
    {
        using var facade = FakeFacade.Start(map: server =>
        {
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("limited").WillSetStateTo("ok")
                .RespondWith(Response.Create().WithStatusCode(429));
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("limited").WhenStateIs("ok")
                .RespondWith(Response.Create().WithStatusCode(202));
        });
        await using var push = new PushHarness([facade.Url]);

        await push.PushAsync(1);
        await push.Until(() => push.Batches(Target(facade), "sent") == 1, "batch sent");

        Assert.Equal([429, 202], facade.Requests.Select(e => (int)e.ResponseMessage.StatusCode!));
        Assert.Equal(1, push.Retries(Target(facade)));
    }

    /// <summary>Every 4xx but 429 (the issue's rule): the same batch cannot succeed later, so it is dropped, counted and logged.</summary>
    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(408)]
    [InlineData(422)]
    public async Task A_4xx_other_than_429_is_not_retried_but_counted_rejected_and_does_not_block_the_stream(int status)
    {
        using var facade = FakeFacade.Start(map: server =>
        {
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("bad").WillSetStateTo("good")
                .RespondWith(Response.Create().WithStatusCode(status).WithBody($$"""{"status":{{status}},"title":"refused"}"""));
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("bad").WhenStateIs("good")
                .RespondWith(Response.Create().WithStatusCode(202));
        });
        await using var push = new PushHarness([facade.Url]);

        await push.PushAsync(1);
        await push.Until(() => push.Batches(Target(facade), "rejected") == 1, "batch rejected");
        await push.PushAsync(2);
        await push.Until(() => push.Batches(Target(facade), "sent") == 1, "next batch sent");

        Assert.Equal([status, 202], facade.Requests.Select(e => (int)e.ResponseMessage.StatusCode!));
        Assert.Equal([2], facade.Accepted.Select(NumberOf));
        Assert.Equal(0, push.Retries(Target(facade)));
        Assert.Equal(0, push.Buffered(Target(facade)));
    }

    [Fact]
    public async Task While_the_facade_is_down_batches_are_buffered_then_replayed_oldest_first_none_lost_none_twice()
    {
        var facade = FakeFacade.Start();
        var port = facade.Port;
        var target = Target(facade);
        await using var push = new PushHarness([facade.Url]);
        await push.PushAsync(0);
        await push.Until(() => push.Batches(target, "sent") == 1, "first batch sent");
        facade.Dispose();

        // Several rounds against a dead facade: each one fails (retries, then an open circuit).
        for (var i = 1; i <= 6; i++)
        {
            var retriesBefore = push.Retries(target);
            await push.PushAsync(i);
            Assert.Equal(i, push.Buffered(target));
            if (i == 1) await push.Until(() => push.Retries(target) > retriesBefore, "a failed round was retried");
        }
        Assert.Equal(1, push.Batches(target, "sent"));
        Assert.Equal(0, push.Batches(target, "dropped"));

        using var back = FakeFacade.Start(port);
        await push.Until(() => push.Batches(target, "sent") == 7, "backlog replayed");
        await push.PushAsync(7);
        await push.Until(() => push.Batches(target, "sent") == 8, "new batch after the backlog");

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], back.Accepted.Select(NumberOf));
        Assert.Equal(0, push.Buffered(target));
        Assert.Equal(0, push.Batches(target, "dropped"));
    }

    /// <summary>
    /// docs/api.md section 1: the facade shifts a batch by sentAt - its own clock, so sentAt must
    /// be the time of the request, not of the collection: a replayed batch says when it was
    /// replayed, and each retry of it says when it was retried.
    /// </summary>
    [Fact]
    public async Task A_replayed_batch_carries_the_time_it_was_sent_and_each_attempt_a_fresh_one()
    {
        var port = FakeFacade.FreePort();
        var target = $"127.0.0.1:{port}";
        await using var push = new PushHarness([new Uri($"http://{target}")]);
        var collected = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await push.Pusher.PushAsync("node-1", new Batch { Timestamp = collected, Node = new NodeSample { Cpu = new CpuSection { UsageSecondsTotal = 1 } } });
        var outage = TimeSpan.FromSeconds(2);
        await Task.Delay(outage); // the facade is down: the batch waits in the buffer

        // Back, but its first answer is a slow 503: the pipeline retries the same request.
        var slow = TimeSpan.FromMilliseconds(300);
        using var facade = FakeFacade.Start(port, map: server =>
        {
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("busy").WillSetStateTo("ok")
                .RespondWith(Response.Create().WithStatusCode(503).WithDelay(slow));
            server.Given(Request.Create().WithPath(FakeFacade.BatchPath).UsingPost()).InScenario("busy").WhenStateIs("ok")
                .RespondWith(Response.Create().WithStatusCode(202));
        });
        await push.Until(() => push.Batches(target, "sent") == 1, "the buffered batch replayed");

        var attempts = facade.Requests.OrderBy(e => e.RequestMessage.DateTime)
            .Select(e => JsonSerializer.Deserialize(e.RequestMessage.BodyAsBytes!, ContractJson.Default.Batch)!).ToList();
        Assert.Equal([503, 202], facade.Requests.OrderBy(e => e.RequestMessage.DateTime).Select(e => (int)e.ResponseMessage.StatusCode!));
        Assert.All(attempts, a => Assert.Equal((collected, 1.0), (a.Timestamp!.Value, a.Node!.Cpu!.UsageSecondsTotal!.Value)));
        Assert.True(attempts[0].SentAt >= collected + outage, $"sent at {attempts[0].SentAt:O}, collected at {collected:O}");
        Assert.True(attempts[1].SentAt >= attempts[0].SentAt + slow, $"the retry says {attempts[1].SentAt:O}, the first attempt {attempts[0].SentAt:O}");
    }

    [Fact]
    public async Task Past_the_buffer_bound_the_oldest_batches_are_dropped_and_counted()
    {
        var port = FakeFacade.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var target = $"127.0.0.1:{port}";
        // 3 s of buffer at one batch per second: room for 3.
        await using var push = new PushHarness([url], o => o with { Interval = TimeSpan.FromSeconds(1), BufferDuration = TimeSpan.FromSeconds(3) });
        Assert.Equal(3, push.Options.BufferCapacity);

        for (var i = 1; i <= 5; i++) await push.PushAsync(i);
        await push.Until(() => push.Batches(target, "dropped") == 2, "two oldest dropped");
        Assert.Equal(3, push.Buffered(target));

        using var facade = FakeFacade.Start(port);
        await push.Until(() => push.Batches(target, "sent") == 3, "the rest replayed");

        Assert.Equal([3, 4, 5], facade.Accepted.Select(NumberOf));
        Assert.Equal(2, push.Batches(target, "dropped"));
        Assert.Equal(0, push.Buffered(target));
    }

    [Fact]
    public async Task Past_the_byte_bound_the_oldest_batches_are_dropped_and_counted()
    {
        var port = FakeFacade.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var target = $"127.0.0.1:{port}";
        // Numbered batches are the same size within a few bytes: room for two and a half.
        var size = JsonSerializer.SerializeToUtf8Bytes(Numbered(5), ContractJson.Default.Batch).Length;
        await using var push = new PushHarness([url], o => o with { BufferBytes = size * 5 / 2 });
        Assert.True(push.Options.BufferCapacity > 5, "the batch-count bound must not be the one that drops here");

        for (var i = 1; i <= 5; i++) await push.PushAsync(i);
        await push.Until(() => push.Batches(target, "dropped") == 3, "three oldest dropped");
        Assert.Equal(2, push.Buffered(target));
        Assert.InRange(push.Metric("kubemonitor_exporter_push_buffered_bytes", ("target", target)), 2 * size - 2, push.Options.BufferBytes);

        using var facade = FakeFacade.Start(port);
        await push.Until(() => push.Batches(target, "sent") == 2, "the rest replayed");

        Assert.Equal([4, 5], facade.Accepted.Select(NumberOf));
        Assert.Equal(3, push.Batches(target, "dropped"));
        Assert.Equal(0, push.Buffered(target));
        Assert.Equal(0, push.Metric("kubemonitor_exporter_push_buffered_bytes", ("target", target)));
    }

    [Fact]
    public async Task A_single_batch_larger_than_the_byte_bound_is_still_sent()
    {
        using var facade = FakeFacade.Start();
        await using var push = new PushHarness([facade.Url], o => o with { BufferBytes = 10 });

        await push.PushAsync(1);
        await push.Until(() => push.Batches(Target(facade), "sent") == 1, "the batch sent");

        Assert.Equal([1], facade.Accepted.Select(NumberOf));
        Assert.Equal(0, push.Batches(Target(facade), "dropped"));
    }

    [Fact]
    public async Task Each_facade_gets_the_full_stream_and_a_down_one_does_not_hold_back_the_other()
    {
        using var up = FakeFacade.Start();
        var downPort = FakeFacade.FreePort();
        var downTarget = $"127.0.0.1:{downPort}";
        await using var push = new PushHarness([up.Url, new Uri($"http://127.0.0.1:{downPort}")]);

        for (var i = 1; i <= 4; i++)
        {
            await push.PushAsync(i);
            // Delivered to the live facade while the other one is failing.
            await push.Until(() => push.Batches(Target(up), "sent") == i, $"batch {i} at the live facade");
        }
        Assert.Equal([1, 2, 3, 4], up.Accepted.Select(NumberOf));
        Assert.Equal(4, push.Buffered(downTarget));

        using var late = FakeFacade.Start(downPort);
        await push.Until(() => push.Batches(downTarget, "sent") == 4, "backlog at the late facade");

        Assert.Equal([1, 2, 3, 4], late.Accepted.Select(NumberOf));
        Assert.Equal(4, up.Requests.Count);
    }

    [Fact]
    public async Task The_bearer_token_comes_from_the_file_and_is_reread_when_it_changes()
    {
        using var facade = FakeFacade.Start();
        var tokenFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(tokenFile, "first-token\n");
            await using var push = new PushHarness([facade.Url], o => o with { BearerTokenFile = tokenFile });

            await push.PushAsync(1);
            await push.Until(() => push.Batches(Target(facade), "sent") == 1, "first batch");
            await File.WriteAllTextAsync(tokenFile, "rotated-token-2");
            await push.PushAsync(2);
            await push.Until(() => push.Batches(Target(facade), "sent") == 2, "second batch");

            Assert.Equal(
                ["Bearer first-token", "Bearer rotated-token-2"],
                facade.Requests.OrderBy(e => e.RequestMessage.DateTime).Select(e => e.RequestMessage.Headers!["Authorization"].Single()));
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task Without_its_token_file_a_batch_stays_buffered_until_the_file_appears()
    {
        using var facade = FakeFacade.Start();
        var tokenFile = Path.Combine(Path.GetTempPath(), "kubemonitor-push-token-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var push = new PushHarness([facade.Url], o => o with { BearerTokenFile = tokenFile });
            await push.PushAsync(1);
            Assert.Equal(1, push.Buffered(Target(facade)));

            await File.WriteAllTextAsync(tokenFile, "late-token");
            await push.Until(() => push.Batches(Target(facade), "sent") == 1, "batch sent once the token exists");

            Assert.Equal("Bearer late-token", Assert.Single(facade.Requests).RequestMessage.Headers!["Authorization"].Single());
            Assert.Equal([1], facade.Accepted.Select(NumberOf));
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task A_name_resolving_to_several_addresses_gets_the_stream_at_each_with_its_host_header()
    {
        var port = FakeFacade.FreePort("127.0.0.2");
        using var first = FakeFacade.Start(port, "127.0.0.1");
        using var second = FakeFacade.Start(port, "127.0.0.2");
        var resolver = new FixedResolver("facade.test", IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2"));
        await using var push = new PushHarness([new Uri($"http://facade.test:{port}")], resolver: resolver);

        await push.PushAsync(1);
        await push.PushAsync(2);
        await push.Until(
            () => push.Batches($"facade.test:{port}@127.0.0.1", "sent") == 2 && push.Batches($"facade.test:{port}@127.0.0.2", "sent") == 2,
            "both pods got both batches");

        foreach (var facade in new[] { first, second })
        {
            Assert.Equal([1, 2], facade.Accepted.Select(NumberOf));
            Assert.All(facade.Requests, e => Assert.Equal($"facade.test:{port}", e.RequestMessage.Headers!["Host"].Single()));
        }
    }

    [Fact]
    public async Task An_address_gone_from_dns_for_longer_than_the_buffer_is_removed_while_the_others_keep_the_stream()
    {
        var port = FakeFacade.FreePort("127.0.0.2");
        using var live = FakeFacade.Start(port, "127.0.0.1"); // nothing listens on 127.0.0.2: that pod is down
        var resolver = new FixedResolver("facade.test", IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2"));
        await using var push = new PushHarness(
            [new Uri($"http://facade.test:{port}")],
            o => o with { Interval = TimeSpan.FromMilliseconds(100), BufferDuration = TimeSpan.FromSeconds(1) },
            resolver);
        var gone = $"facade.test:{port}@127.0.0.2";

        await push.PushAsync(1);
        Assert.Equal(1, push.Buffered(gone));
        resolver.Addresses = [IPAddress.Parse("127.0.0.1")];

        // Rounds go on; within the buffer duration the vanished address still gets batches.
        var last = 1;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (push.Pusher.Endpoints.Any(e => e.Label == gone))
        {
            Assert.True(DateTime.UtcNow < deadline, "the vanished address was never removed");
            await push.PushAsync(++last);
            await push.Until(() => push.Batches($"facade.test:{port}@127.0.0.1", "sent") == last, $"batch {last} at the live pod");
        }

        Assert.Equal(Enumerable.Range(1, last), live.Accepted.Select(NumberOf));
        Assert.DoesNotContain("@127.0.0.2", push.Dump(), StringComparison.Ordinal);
    }
}
