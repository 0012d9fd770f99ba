using KubeMonitor.Exporter.Metrics;

namespace KubeMonitor.Exporter.Tests.Metrics;

public sealed class KubernetesLabelNamesTests
{
    private static Dictionary<string, string> Names(params (string Key, string Value)[] labels) =>
        KubernetesLabelNames.Of(labels.ToDictionary(l => l.Key, l => l.Value)).ToDictionary(p => p.Key, p => p.Value);

    [Theory]
    [InlineData("app", "label_app")]
    [InlineData("app.kubernetes.io/name", "label_app_kubernetes_io_name")]
    [InlineData("pod-template-hash", "label_pod_template_hash")]
    [InlineData("node-role.kubernetes.io/control-plane", "label_node_role_kubernetes_io_control_plane")]
    [InlineData("topology.kubernetes.io/zone", "label_topology_kubernetes_io_zone")]
    [InlineData("Team_Name9", "label_Team_Name9")]   // case kept: the contract names only the character rule
    public void Every_character_outside_letters_digits_and_underscore_becomes_an_underscore(string key, string expected) =>
        Assert.Equal([expected], Names((key, "v")).Keys);

    [Fact]
    public void Pairs_come_in_the_ordinal_order_of_the_original_keys()
    {
        var pairs = KubernetesLabelNames.Of(new Dictionary<string, string> { ["tier"] = "web", ["app.kubernetes.io/name"] = "shop", ["App"] = "x" });

        Assert.Equal(["label_App", "label_app_kubernetes_io_name", "label_tier"], pairs.Select(p => p.Key));
        Assert.Equal(["x", "shop", "web"], pairs.Select(p => p.Value));
    }

    [Fact]
    public void Keys_that_sanitize_alike_all_get_a_conflict_suffix_in_key_order_as_kube_state_metrics_does()
    {
        var names = Names(("a_b", "underscore"), ("a/b", "slash"), ("a.b", "dot"), ("c", "other"));

        // Ordinal order: '.' (0x2E) < '/' (0x2F) < '_' (0x5F).
        Assert.Equal(
            new Dictionary<string, string> { ["label_a_b_conflict1"] = "dot", ["label_a_b_conflict2"] = "slash", ["label_a_b_conflict3"] = "underscore", ["label_c"] = "other" },
            names);
    }

    [Fact]
    public void The_same_labels_give_the_same_names_whatever_order_they_arrive_in()
    {
        (string, string)[] labels = [("x.y", "1"), ("x-y", "2"), ("x/y", "3"), ("z", "4")];

        Assert.Equal(Names(labels), Names([.. labels.Reverse()]));
    }

    [Fact]
    public void A_suffixed_name_a_real_key_already_has_is_skipped()
    {
        var names = Names(("a.b", "dot"), ("a/b", "slash"), ("a_b_conflict1", "real"));

        Assert.Equal(
            new Dictionary<string, string> { ["label_a_b_conflict2"] = "dot", ["label_a_b_conflict3"] = "slash", ["label_a_b_conflict1"] = "real" },
            names);
    }

    [Fact]
    public void No_labels_give_no_pairs() => Assert.Empty(Names());
}
