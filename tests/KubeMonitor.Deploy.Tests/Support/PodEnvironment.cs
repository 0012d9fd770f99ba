extern alias KubeFull;
using System.Text;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// A container's environment and arguments as the kubelet hands them to the process: downward-API
/// fields resolved for the pod's namespace and node, and <c>$(VAR)</c> references expanded (an
/// environment value sees the variables defined before it, arguments see them all; <c>$$</c> is a
/// literal <c>$</c>; an unknown reference stays as written).
/// </summary>
internal sealed class PodEnvironment
{
    public IReadOnlyDictionary<string, string> Variables { get; }
    public IReadOnlyList<string> Args { get; }

    private PodEnvironment(Dictionary<string, string> variables, List<string> args) => (Variables, Args) = (variables, args);

    public static PodEnvironment Of(string podNamespace, V1Container container, string nodeName = "node-a")
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            variables[variable.Name] = variable.ValueFrom?.FieldRef?.FieldPath switch
            {
                null when variable.ValueFrom is null => Expand(variable.Value ?? "", variables),
                "metadata.namespace" => podNamespace,
                "spec.nodeName" => nodeName,
                var other => throw new NotSupportedException($"{container.Name}: variable {variable.Name} comes from {other ?? "a source"} this test does not resolve."),
            };
        }
        return new PodEnvironment(variables, [.. (container.Args ?? []).Select(a => Expand(a, variables))]);
    }

    private static string Expand(string text, Dictionary<string, string> variables)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 == text.Length)
            {
                result.Append(text[i]);
            }
            else if (text[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (text[i + 1] == '(' && text.IndexOf(')', i + 2) is var end and > 0 && variables.TryGetValue(text[(i + 2)..end], out var value))
            {
                result.Append(value);
                i = end;
            }
            else
            {
                result.Append(text[i]);
            }
        }
        return result.ToString();
    }
}
