using KubeMonitor.TestSupport;
using System.Net;
using System.Net.Sockets;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace KubeMonitor.Facade.Tests.Auth;

/// <summary>WireMock playing the Kubernetes API on 127.0.0.1, plus a kubeconfig file that points at it.</summary>
internal sealed class FakeKubernetesApi : IDisposable
{
    public const string TokenReviewPath = "/apis/authentication.k8s.io/v1/tokenreviews";

    /// <summary>
    /// A ReviewTimeout for tests that are not about it: on a loaded 2-core machine a cold WireMock
    /// answer took over the 5 s default once, and a timed-out review is a 503, not the verdict under test.
    /// </summary>
    public const string SlowMachineReviewTimeout = "00:00:30";

    private readonly string kubeconfigDir = Directory.CreateTempSubdirectory("kubemonitor-kubeconfig-").FullName;

    public FakeKubernetesApi()
    {
        // Loopback only, explicitly: WireMock's default binding is wider.
        Server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{ClosedPort()}"] });
        Kubeconfig = WriteKubeconfig(kubeconfigDir, new Uri($"http://127.0.0.1:{Server.Port}"));
    }

    public WireMockServer Server { get; }

    public string Kubeconfig { get; }

    public int TokenReviewCalls => Server.LogEntries.Count(e => e.RequestMessage.Path == TokenReviewPath);

    /// <summary>Answers every TokenReview with this status object.</summary>
    public void ReviewAnswers(string statusJson) =>
        Server.Given(Request.Create().WithPath(TokenReviewPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(
                $$"""{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{},"status":{{statusJson}}}"""));

    /// <summary>Answers the TokenReviews of this one token with this status object.</summary>
    public void ReviewAnswersFor(string token, string statusJson) =>
        Server.Given(Request.Create().WithPath(TokenReviewPath).UsingPost().WithBody(new JsonPartialMatcher(new { spec = new { token } })))
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(
                $$"""{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","status":{{statusJson}}}"""));

    /// <summary>Answers every TokenReview, but only after a delay.</summary>
    public void ReviewAnswersLate(string statusJson, TimeSpan delay) =>
        Server.Given(Request.Create().WithPath(TokenReviewPath).UsingPost())
            .RespondWith(Response.Create().WithDelay(delay).WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(
                $$"""{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","status":{{statusJson}}}"""));

    public void ReviewFails(int status) =>
        Server.Given(Request.Create().WithPath(TokenReviewPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(
                $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"etcdserver: request timed out","code":{{status}}}"""));

    /// <summary>A kubeconfig whose server is the given address (with a token of the facade's own).</summary>
    public static string WriteKubeconfig(string dir, Uri server) =>
        TestKubeconfig.Write(dir, server.GetLeftPart(UriPartial.Authority), "facade-own-token");

    /// <summary>A 127.0.0.1 port nobody listens on (bound then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        Directory.Delete(kubeconfigDir, recursive: true);
    }
}
