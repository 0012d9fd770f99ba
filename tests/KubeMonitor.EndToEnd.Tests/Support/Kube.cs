using System.Text.Json.Nodes;

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>Pod and Node objects as the Kubernetes API serves them, for the fake API server.</summary>
internal static class Kube
{
    /// <summary>A running pod on <paramref name="node"/> whose single container has the given runtime id.</summary>
    /// <param name="replicaSet">Owner ReplicaSet (controller) "&lt;deployment&gt;-&lt;hash&gt;", or null for a bare pod.</param>
    /// <param name="resources">The container's <c>resources</c> (see <see cref="Resources"/>), or null for none.</param>
    public static JsonObject Pod(string name, string ns, string uid, string containerId, string node, string? replicaSet, string? templateHash,
        JsonObject? resources = null)
    {
        var container = new JsonObject { ["name"] = "app", ["image"] = "registry.example/app:1" };
        if (resources is not null) container["resources"] = resources.DeepClone();
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = uid,
            ["resourceVersion"] = "100",
            ["labels"] = templateHash is null ? new JsonObject { ["app"] = name } : new JsonObject { ["app"] = "test-dep", ["pod-template-hash"] = templateHash },
        };
        if (replicaSet is not null)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ReplicaSet",
                ["name"] = replicaSet,
                ["uid"] = Guid.NewGuid().ToString(),
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            });
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["nodeName"] = node,
                ["containers"] = new JsonArray(container),
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["containerID"] = "containerd://" + containerId,
                    ["image"] = "registry.example/app:1",
                    ["imageID"] = "registry.example/app@sha256:" + new string('0', 64),
                    ["ready"] = true,
                    ["restartCount"] = 0,
                }),
            },
        };
    }

    public static JsonObject PodList(IEnumerable<JsonObject> pods) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PodList",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "100" },
        ["items"] = new JsonArray([.. pods]),
    };

    /// <summary>A container's requests and limits, each equal to its limit (as Kubernetes defaults a request that is not given); null leaves a resource unset.</summary>
    public static JsonObject Resources(string? cpu, string? memory)
    {
        JsonObject Quantities()
        {
            var quantities = new JsonObject();
            if (cpu is not null) quantities["cpu"] = cpu;
            if (memory is not null) quantities["memory"] = memory;
            return quantities;
        }
        return new JsonObject { ["requests"] = Quantities(), ["limits"] = Quantities() };
    }

    /// <summary>A NodeList of one Node with the labels a kubelet gives its node.</summary>
    public static JsonObject NodeList(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "NodeList",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "100" },
        ["items"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["uid"] = Guid.NewGuid().ToString(),
                ["resourceVersion"] = "100",
                ["labels"] = NodeLabels(name),
            },
        }),
    };

    public static JsonObject NodeLabels(string name) => new()
    {
        ["kubernetes.io/arch"] = "amd64",
        ["kubernetes.io/hostname"] = name,
        ["kubernetes.io/os"] = "linux",
    };
}
