using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMonitor.Facade.Kubernetes;
using KubeMonitor.Facade.Tests.Auth;
using KubeMonitor.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace KubeMonitor.Facade.Tests.Kubernetes;

public sealed class ReplicaSetOwnersTests : IDisposable
{
    private const string Path = "/apis/apps/v1/replicasets";
    private readonly FakeKubernetesApi api = new();

    public void Dispose() => api.Dispose();

    private static string FixtureReplicaSet() => File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "replicaset.json"));

    private static string ReplicaSet(string ns, string name, string resourceVersion, string? deployment, bool controller = true) =>
        JsonSerializer.Serialize(new
        {
            apiVersion = "apps/v1",
            kind = "ReplicaSet",
            metadata = new
            {
                name,
                @namespace = ns,
                resourceVersion,
                uid = Guid.NewGuid().ToString(),
                ownerReferences = deployment is null
                    ? null
                    : new[] { new { apiVersion = "apps/v1", kind = "Deployment", name = deployment, uid = Guid.NewGuid().ToString(), controller, blockOwnerDeletion = true } },
            },
        });

    private static string List(string resourceVersion, params string[] items) =>
        $$"""{"kind":"ReplicaSetList","apiVersion":"apps/v1","metadata":{"resourceVersion":"{{resourceVersion}}"},"items":[{{string.Join(",", items)}}]}""";

    private static string Event(string type, string objectJson) =>
        JsonSerializer.Serialize(new { type, @object = JsonNode.Parse(objectJson) });

    private static string Gone(string resourceVersion) =>
        $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: {{resourceVersion}} (250)","reason":"Expired","code":410}""";

    private void ListAnswers(string body, string? scenario = null, string? whenState = null, string? setState = null, int status = 200)
    {
        var mapping = api.Server.Given(Request.Create().WithPath(Path).UsingGet()).AtPriority(10);
        if (scenario is not null)
        {
            mapping = mapping.InScenario(scenario);
            if (whenState is not null) mapping = mapping.WhenStateIs(whenState);
            if (setState is not null) mapping = mapping.WillSetStateTo(setState);
        }
        mapping.RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));
    }

    private void WatchAnswers(string? resourceVersion, int status, params string[] events)
    {
        var request = Request.Create().WithPath(Path).UsingGet().WithParam("watch", "true");
        if (resourceVersion is not null) request = request.WithParam("resourceVersion", resourceVersion);
        api.Server.Given(request).AtPriority(resourceVersion is null ? 5 : 1)
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json")
                .WithBody(string.Concat(events.Select(e => e + "\n"))));
    }

    private static bool IsWatch(WireMock.Logging.ILogEntry e) =>
        e.RequestMessage.Query?.TryGetValue("watch", out var watch) == true && watch.Contains("true");

    private IEnumerable<string?> WatchedVersions() =>
        api.Server.LogEntries.Where(e => e.RequestMessage.Path == Path && IsWatch(e))
            .Select(e => e.RequestMessage.Query!.TryGetValue("resourceVersion", out var v) ? v.FirstOrDefault() : null);

    private int ListCalls() =>
        api.Server.LogEntries.Count(e => e.RequestMessage.Path == Path && !IsWatch(e));

    private async Task<T> RunAsync<T>(Func<ReplicaSetOwners, bool> until, Func<ReplicaSetOwners, T> then)
    {
        var config = KubernetesClientSetup.BuildConfig(new KubernetesOptions { Kubeconfig = api.Kubeconfig });
        using IKubernetes client = new k8s.Kubernetes(config);
        using var logs = new CollectingLoggerProvider();
        using var loggers = new LoggerFactory([logs]);
        using var owners = new ReplicaSetOwners(() => client, loggers.CreateLogger<ReplicaSetOwners>(), TimeProvider.System,
            TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), watchTimeoutSeconds: 5);
        await owners.StartAsync(CancellationToken.None);
        try
        {
            // A generous deadline on a condition, not a timing assertion.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!until(owners))
            {
                Assert.True(DateTime.UtcNow < deadline, "the ReplicaSet owners did not reach the expected state; logs: " + string.Join(" | ", logs.Lines.Take(5).Select(x => x.Message)) + "; requests: " + string.Join(" ", api.Server.LogEntries.Take(8).Select(e => e.RequestMessage.Url + "=" + e.ResponseMessage.StatusCode)));
                await Task.Delay(20);
            }
            return then(owners);
        }
        finally
        {
            await owners.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Lists_then_applies_watch_events_and_resumes_from_the_last_version()
    {
        ListAnswers(List("100",
            FixtureReplicaSet(),
            ReplicaSet("test-ns", "solo-5d8f9c7b6", "90", deployment: null),
            ReplicaSet("test-ns", "doomed-6c7d8e9f0", "95", deployment: "doomed")));
        WatchAnswers("100", 200,
            Event("ADDED", ReplicaSet("test-ns", "test-dep-7c9f8d6b5", "101", "test-dep")),
            Event("DELETED", ReplicaSet("test-ns", "doomed-6c7d8e9f0", "102", "doomed")),
            Event("MODIFIED", ReplicaSet("test-ns", "renamed-abc12", "103", "real-owner")),
            """{"type":"BOOKMARK","object":{"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{"resourceVersion":"150"}}}""");
        WatchAnswers(null, 200);

        var seen = await RunAsync(
            until: o => WatchedVersions().Contains("150"),
            then: o => new
            {
                Fixture = o.DeploymentOf("icx", "icx-db-7d4b578979"),
                Added = o.DeploymentOf("test-ns", "test-dep-7c9f8d6b5"),
                Renamed = o.DeploymentOf("test-ns", "renamed-abc12"),
                SoloKnown = o.TryGetDeployment("test-ns", "solo-5d8f9c7b6", out var solo),
                Solo = solo,
                DoomedKnown = o.TryGetDeployment("test-ns", "doomed-6c7d8e9f0", out _),
                UnknownKnown = o.TryGetDeployment("test-ns", "never-seen-123", out _),
                o.Lists,
            });

        Assert.Equal("icx-db", seen.Fixture); // despite its odd apiVersion networking.k8s.io/v1
        Assert.Equal("test-dep", seen.Added);
        Assert.Equal("real-owner", seen.Renamed); // the owner, not the name rule ("renamed")
        Assert.True(seen.SoloKnown);
        Assert.Null(seen.Solo);
        Assert.False(seen.DoomedKnown);
        Assert.False(seen.UnknownKnown);
        Assert.Equal(1, seen.Lists);
        Assert.Equal(["100", "150"], WatchedVersions().Distinct().Take(2));
    }

    [Fact]
    public async Task Large_lists_are_read_page_by_page()
    {
        ListAnswers("""{"kind":"ReplicaSetList","apiVersion":"apps/v1","metadata":{"resourceVersion":"100","continue":"page-2-token"},"items":[""" +
            ReplicaSet("a", "one-1a", "90", "one") + "]}");
        api.Server.Given(Request.Create().WithPath(Path).UsingGet().WithParam("continue", "page-2-token")).AtPriority(2)
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(List("100", ReplicaSet("b", "two-2b", "91", "two"))));
        WatchAnswers(null, 200);

        var seen = await RunAsync(
            until: o => o.Synced && WatchedVersions().Any(),
            then: o => (One: o.DeploymentOf("a", "one-1a"), Two: o.DeploymentOf("b", "two-2b")));

        Assert.Equal(("one", "two"), seen);
        Assert.Equal(["100"], WatchedVersions().Take(1));
    }

    [Fact]
    public async Task Watch_ERROR_410_makes_it_list_again_and_forget_what_vanished()
    {
        ListAnswers(List("100", ReplicaSet("test-ns", "old-rs-1a2b3c", "100", "old")), "relist", setState: "listed");
        ListAnswers(List("200", ReplicaSet("test-ns", "new-rs-4d5e6f", "200", "new")), "relist", whenState: "listed");
        WatchAnswers("100", 200, $$"""{"type":"ERROR","object":{{Gone("100")}}}""");
        WatchAnswers(null, 200);

        var seen = await RunAsync(
            until: o => o.Lists >= 2 && WatchedVersions().Contains("200"),
            then: o => (New: o.DeploymentOf("test-ns", "new-rs-4d5e6f"), OldKnown: o.TryGetDeployment("test-ns", "old-rs-1a2b3c", out _)));

        Assert.Equal("new", seen.New);
        Assert.False(seen.OldKnown);
    }

    [Fact]
    public async Task Watch_request_answered_410_makes_it_list_again()
    {
        ListAnswers(List("100", ReplicaSet("test-ns", "old-rs-1a2b3c", "100", "old")), "relist", setState: "listed");
        ListAnswers(List("200", ReplicaSet("test-ns", "new-rs-4d5e6f", "200", "new")), "relist", whenState: "listed");
        WatchAnswers("100", 410, Gone("100"));
        WatchAnswers(null, 200);

        var seen = await RunAsync(
            until: o => o.Lists >= 2 && WatchedVersions().Contains("200"),
            then: o => o.DeploymentOf("test-ns", "new-rs-4d5e6f"));

        Assert.Equal("new", seen);
    }

    [Fact]
    public async Task Unreadable_watch_event_means_a_lost_event_so_it_lists_again()
    {
        ListAnswers(List("100", ReplicaSet("test-ns", "old-rs-1a2b3c", "100", "old")), "relist", setState: "listed");
        ListAnswers(List("200", ReplicaSet("test-ns", "new-rs-4d5e6f", "200", "new")), "relist", whenState: "listed");
        WatchAnswers("100", 200, "{\"type\":\"ADDED\",\"object\":{\"kind\":\"ReplicaSet\",\"metadata\":");
        WatchAnswers(null, 200);

        var seen = await RunAsync(
            until: o => o.Lists >= 2 && WatchedVersions().Contains("200"),
            then: o => (New: o.DeploymentOf("test-ns", "new-rs-4d5e6f"), OldKnown: o.TryGetDeployment("test-ns", "old-rs-1a2b3c", out _)));

        Assert.Equal("new", seen.New);
        Assert.False(seen.OldKnown);
    }

    [Fact]
    public async Task Failing_API_is_retried_and_nothing_is_known_until_the_first_list()
    {
        ListAnswers("""{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}""", "flaky", setState: "failed-once", status: 500);
        ListAnswers("""{"kind":"Status","apiVersion":"v1","status":"Failure","code":503}""", "flaky", whenState: "failed-once", setState: "failed-twice", status: 503);
        ListAnswers(List("300", ReplicaSet("test-ns", "web-7f8e9d", "300", "web")), "flaky", whenState: "failed-twice");
        WatchAnswers(null, 200);

        var seen = await RunAsync(
            until: o => o.Synced && ListCalls() >= 3,
            then: o => (Web: o.DeploymentOf("test-ns", "web-7f8e9d"), o.Lists));

        Assert.Equal("web", seen.Web);
        Assert.Equal(1, seen.Lists);
        Assert.Equal(3, ListCalls());
    }

    [Fact]
    public void Only_a_controlling_Deployment_counts()
    {
        static V1ReplicaSet Parse(string json) => KubernetesJson.Deserialize<V1ReplicaSet>(json);

        Assert.Equal("icx-db", ReplicaSetOwners.ControllingDeployment(Parse(FixtureReplicaSet())));
        Assert.Equal("dep", ReplicaSetOwners.ControllingDeployment(Parse(ReplicaSet("ns", "dep-1", "1", "dep"))));
        Assert.Null(ReplicaSetOwners.ControllingDeployment(Parse(ReplicaSet("ns", "dep-1", "1", "dep", controller: false))));
        Assert.Null(ReplicaSetOwners.ControllingDeployment(Parse(ReplicaSet("ns", "dep-1", "1", deployment: null))));
        // Every field filled with placeholders: its owner's kind is "kindValue", not a Deployment.
        Assert.Null(ReplicaSetOwners.ControllingDeployment(Parse(File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "all-fields", "apps.v1.ReplicaSet.json")))));
    }

    [Fact]
    public async Task Wired_into_a_host_it_watches_on_its_own()
    {
        ListAnswers(List("100", FixtureReplicaSet()));
        WatchAnswers(null, 200);
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig });
        Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.UseTestServer(builder.WebHost);
        builder.Services.AddReplicaSetOwners(builder.Configuration);
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            var resolver = app.Services.GetRequiredService<IReplicaSetOwnerResolver>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (resolver.DeploymentOf("icx", "icx-db-7d4b578979") is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the hosted ReplicaSet watch never listed");
                await Task.Delay(20);
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void Switched_off_it_knows_nothing()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Facade:Kubernetes:WatchReplicaSets"] = "false",
            ["Facade:Kubernetes:Kubeconfig"] = "/nonexistent",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddReplicaSetOwners(configuration).BuildServiceProvider();
        var resolver = services.GetRequiredService<IReplicaSetOwnerResolver>();
        Assert.IsType<NoReplicaSetOwners>(resolver);
        Assert.False(resolver.TryGetDeployment("icx", "icx-db-7d4b578979", out _));
    }

    [Fact]
    public void With_a_kubeconfig_it_watches()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig,
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddReplicaSetOwners(configuration).BuildServiceProvider();
        Assert.IsType<ReplicaSetOwners>(services.GetRequiredService<IReplicaSetOwnerResolver>());
    }
}
