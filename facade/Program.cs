using KubeMonitor.Facade;
using KubeMonitor.Facade.Auth;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Deployments;
using KubeMonitor.Facade.Health;
using KubeMonitor.Facade.Ingest;
using KubeMonitor.Facade.Kubernetes;
using KubeMonitor.Facade.Namespaces;
using KubeMonitor.Facade.Nodes;
using KubeMonitor.Facade.Pods;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddFacadeOptions();
builder.Services.AddPushAuthentication(builder.Configuration);
// Before the store: in a cluster the real ReplicaSet owners replace the name rule.
builder.Services.AddReplicaSetOwners(builder.Configuration);
builder.Services.AddMetricsStore();
builder.Services.AddIngest();
builder.Services.AddFacadeTelemetry();
builder.Services.AddFacadeProblemDetails();
builder.Services.AddFacadeJson();
builder.Services.AddHeavyReadLimit();
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
// Errors without a body (404 of an unknown path, 405 of a method not listed) become problem+json too.
app.UseStatusCodePages();
app.UseFacadeHttpMetrics();
app.UseRateLimiter();

app.MapHealth();
// Every endpoint under /api in one group, so that the credential is one filter on it: pushes
// always need it, reads when Facade:Auth:ProtectReads is on.
var api = app.MapGroup("").RequirePushCredential();
api.MapIngest();
api.MapNodes();
api.MapPods();
api.MapNamespaces();
api.MapDeployments();
app.MapOpenApi();
app.MapFacadeMetrics();

app.Run();

/// <summary>Entry point; public so that tests can use WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;
