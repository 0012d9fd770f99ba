using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Kubernetes;

/// <summary>
/// Keeps the controlling Deployment of every ReplicaSet of the cluster. KubernetesClient has no
/// informer, so this is one: list (in pages), then watch from the list's resourceVersion; a
/// 410 Gone (the version is too old) means events were lost, so list again; a connection
/// failure re-watches from the last version seen after an exponential back-off.
/// </summary>
public sealed class ReplicaSetOwners : BackgroundService, IReplicaSetOwnerResolver
{
    private const int PageSize = 500;

    private readonly Func<IKubernetes> client;
    private readonly ILogger<ReplicaSetOwners> logger;
    private readonly TimeProvider clock;
    private readonly TimeSpan firstBackoff;
    private readonly TimeSpan maxBackoff;
    private readonly int watchTimeoutSeconds;

    // Where the next watch starts: the last list's version, moved on by every event; null = list.
    private string? resourceVersion;
    private int lists;

    // Swapped whole on each list, so a ReplicaSet deleted while no watch ran is forgotten too.
    private volatile ConcurrentDictionary<(string Namespace, string Name), string?>? owners;

    public ReplicaSetOwners(Func<IKubernetes> client, ILogger<ReplicaSetOwners> logger, TimeProvider clock)
        : this(client, logger, clock, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), watchTimeoutSeconds: 300)
    {
    }

    internal ReplicaSetOwners(Func<IKubernetes> client, ILogger<ReplicaSetOwners> logger, TimeProvider clock,
        TimeSpan firstBackoff, TimeSpan maxBackoff, int watchTimeoutSeconds)
    {
        this.client = client;
        this.logger = logger;
        this.clock = clock;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.watchTimeoutSeconds = watchTimeoutSeconds;
    }

    /// <summary>How many times the full list was fetched (1 after start, +1 per 410 Gone).</summary>
    internal int Lists => Volatile.Read(ref lists);

    /// <summary>True once the first list has completed.</summary>
    public bool Synced => owners is not null;

    public bool TryGetDeployment(string namespaceName, string replicaSetName, out string? deployment)
    {
        deployment = null;
        var current = owners;
        return current is not null && current.TryGetValue((namespaceName, replicaSetName), out deployment);
    }

    /// <summary>The name of the Deployment that controls this ReplicaSet, or null.</summary>
    internal static string? ControllingDeployment(V1ReplicaSet replicaSet)
    {
        // Only the controller reference counts; its apiVersion is not checked, as objects in the
        // wild carry odd ones (the k9s ReplicaSet fixture says networking.k8s.io/v1).
        foreach (var owner in replicaSet.Metadata?.OwnerReferences ?? [])
        {
            if (owner.Controller == true && owner.Kind == "Deployment" && !string.IsNullOrEmpty(owner.Name)) return owner.Name;
        }
        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = firstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            var listed = false;
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await ListAsync(stoppingToken).ConfigureAwait(false);
                    listed = true;
                }
                var events = await WatchAsync(stoppingToken).ConfigureAwait(false);
                if (resourceVersion is null)
                {
                    logger.LogInformation("ReplicaSet watch expired (410 Gone); listing again");
                    // Expired right after a fresh list: something is wrong, do not loop hot.
                    if (!listed || events > 0) continue;
                }
                else if (events > 0)
                {
                    backoff = firstBackoff;
                    continue;
                }
                // Otherwise the watch ended without a single event: do not hammer the API server.
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                logger.LogInformation("ReplicaSet resourceVersion {ResourceVersion} expired (410 Gone); listing again", resourceVersion);
                resourceVersion = null;
                if (!listed) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Connection refused, 5xx, 403 (missing RBAC), a broken stream: keep the last
                // known owners and try again later.
                logger.LogWarning("ReplicaSet list/watch failed, retrying in {Backoff}: {Error}", backoff, e.Message);
            }
            try
            {
                await Task.Delay(backoff, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, maxBackoff.Ticks));
        }
    }

    /// <summary>Lists every ReplicaSet page by page into a fresh map; returns the list's resourceVersion.</summary>
    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var fresh = new ConcurrentDictionary<(string, string), string?>();
        string? continueToken = null;
        string? listVersion;
        do
        {
            var page = await client().AppsV1.ListReplicaSetForAllNamespacesAsync(
                continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var replicaSet in page.Items ?? []) Put(fresh, replicaSet);
            continueToken = page.Metadata?.ContinueProperty;
            listVersion = page.Metadata?.ResourceVersion;
        }
        while (!string.IsNullOrEmpty(continueToken));

        Interlocked.Increment(ref lists);
        owners = fresh;
        logger.LogDebug("Listed {Count} ReplicaSets at resourceVersion {ResourceVersion}", fresh.Count, listVersion);
        return listVersion ?? throw new InvalidOperationException("the ReplicaSet list carries no resourceVersion");
    }

    /// <summary>
    /// Applies watch events until the server ends the watch, moving <see cref="resourceVersion"/>
    /// along (to null on 410: list again). Returns how many events arrived.
    /// </summary>
    private async Task<int> WatchAsync(CancellationToken cancellationToken)
    {
        // The client reports an ERROR event through onError and keeps reading; stop the watch
        // there, since the events after a lost one cannot be trusted.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        var events = 0;
        var map = owners!;
        try
        {
            var stream = client().AppsV1.WatchListReplicaSetForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds,
                onError: e =>
                {
                    failure ??= e;
                    stop.Cancel();
                },
                cancellationToken: stop.Token);
            await foreach (var (type, replicaSet) in stream.ConfigureAwait(false))
            {
                events++;
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        Put(map, replicaSet);
                        break;
                    case WatchEventType.Deleted:
                        if (replicaSet.Metadata is { } gone) map.TryRemove((gone.NamespaceProperty ?? "", gone.Name ?? ""), out _);
                        break;
                }
                // Bookmarks carry nothing but a newer resourceVersion to resume from.
                resourceVersion = replicaSet.Metadata?.ResourceVersion ?? resourceVersion;
            }
        }
        catch (OperationCanceledException) when (failure is not null && !cancellationToken.IsCancellationRequested)
        {
        }
        catch (System.Text.Json.JsonException)
        {
            // An event that cannot be read is lost for good: only a new list can be trusted.
            resourceVersion = null;
            throw;
        }

        switch (failure)
        {
            case null:
                return events;
            case KubernetesException { Status.Code: (int)HttpStatusCode.Gone }:
                resourceVersion = null;
                return events;
            default:
                // A broken event was lost for good: only a new list can be trusted.
                resourceVersion = null;
                throw new InvalidOperationException("the ReplicaSet watch reported an error: " + failure.Message, failure);
        }
    }

    private static void Put(ConcurrentDictionary<(string, string), string?> map, V1ReplicaSet replicaSet)
    {
        var meta = replicaSet.Metadata;
        if (meta?.Name is null || meta.NamespaceProperty is null) return;
        map[(meta.NamespaceProperty, meta.Name)] = ControllingDeployment(replicaSet);
    }
}

public static class ReplicaSetOwnersSetup
{
    /// <summary>
    /// Registers <see cref="IReplicaSetOwnerResolver"/> (and its hosted watch): the ReplicaSet
    /// watch when an API server is configured (in a pod, or <c>Facade:Kubernetes:Kubeconfig</c>)
    /// and <c>Facade:Kubernetes:WatchReplicaSets</c> is not false; otherwise a resolver that knows nothing.
    /// </summary>
    public static IServiceCollection AddReplicaSetOwners(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddKubernetesClient(configuration);
        // Decided when first resolved, not here, so that configuration added later (tests,
        // WebApplicationFactory) still counts.
        services.TryAddSingleton<IReplicaSetOwnerResolver>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KubernetesOptions>>().Value;
            if (!(options.WatchReplicaSets ?? KubernetesClientSetup.IsConfigured(options)))
            {
                sp.GetRequiredService<ILogger<ReplicaSetOwners>>().LogInformation(
                    "ReplicaSets are not watched (no API server configured, or switched off): deployments come from the name rule");
                return new NoReplicaSetOwners();
            }
            return new ReplicaSetOwners(sp.GetRequiredService<IKubernetes>,
                sp.GetRequiredService<ILogger<ReplicaSetOwners>>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService<WatchHost>();
        return services;
    }

    /// <summary>Starts and stops the watch, when the resolver is one.</summary>
    internal sealed class WatchHost(IReplicaSetOwnerResolver resolver) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            resolver is IHostedService watch ? watch.StartAsync(cancellationToken) : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) =>
            resolver is IHostedService watch ? watch.StopAsync(cancellationToken) : Task.CompletedTask;
    }
}
