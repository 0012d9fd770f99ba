using KubeMonitor.Facade;
using KubeMonitor.Facade.Auth;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Deployments;
using KubeMonitor.Facade.Health;
using KubeMonitor.Facade.Info;
using KubeMonitor.Facade.Ingest;
using KubeMonitor.Facade.Kubernetes;
using KubeMonitor.Facade.MetricsApi;
using KubeMonitor.Facade.Namespaces;
using KubeMonitor.Facade.Nodes;
using KubeMonitor.Facade.Page;
using KubeMonitor.Facade.Pods;

// A start that fails (a bad setting, a port in use, an unusable kubeconfig) is one line on stderr
// and exit 1, not an unhandled exception. (Tests' WebApplicationFactory may stop the host with
// HostAbortedException: that one is theirs.)
WebApplication app;
try
{
    // The content root is the program's own folder, not the working directory: appsettings.json is
    // found wherever the facade is started from, and an unreadable working directory is no matter.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Services.AddFacadeOptions();
    builder.Services.AddPushAuthentication(builder.Configuration);
    // Before the queries: in a cluster the real ReplicaSet owners replace the name rule.
    builder.Services.AddReplicaSetOwners(builder.Configuration);
    builder.Services.AddQueries(builder.Configuration);
    builder.Services.AddFacadeTelemetry();
    builder.Services.AddFacadeProblemDetails();
    builder.Services.AddFacadeJson();
    builder.Services.AddHeavyReadLimit();
    builder.Services.AddOpenApi();
    builder.AddPageFiles();
    // metrics.k8s.io on its own HTTPS listener (Facade:MetricsApi:Url; off when absent), its own pipeline there.
    builder.AddMetricsApi();

    app = builder.Build();
    app.UseExceptionHandler();
    // Errors without a body (404 of an unknown path, 405 of a method not listed) become problem+json too.
    app.UseStatusCodePages();
    app.UseFacadeHttpMetrics();
    app.UseRateLimiter();
    app.UsePageFiles();

    app.MapHealth();
    // Every endpoint under /api in one group, so that the credential is one filter on it: pushes
    // always need it, reads when Facade:Auth:ProtectReads is on.
    var api = app.MapGroup("").RequirePushCredential();
    api.MapIngest();
    api.MapNodes();
    api.MapPods();
    api.MapNamespaces();
    api.MapDeployments();
    api.MapInfo();
    app.MapOpenApi();
    app.MapFacadeMetrics();
    app.Start();
}
catch (Exception e) when (e is not HostAbortedException)
{
    return StartupFailure.Explain(e);
}
app.WaitForShutdown();
return 0;

/// <summary>Entry point; public so that tests can use WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;
