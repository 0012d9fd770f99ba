using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests;

/// <summary>The selector parser and matcher alone (Kubernetes' syntax and semantics), and Kubernetes' label rules.</summary>
public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "frontend", ["example.com/team"] = "a", ["empty"] = "" };

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app == web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (db,web)", true)]
    [InlineData("app in(db)", false)]
    [InlineData("missing in (x)", false)]
    [InlineData("app notin (db)", true)]
    [InlineData("app notin (web,db)", false)]
    [InlineData("missing notin (x)", true)]
    [InlineData("app", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!app", false)]
    [InlineData("example.com/team=a", true)]
    [InlineData("empty=", true)]
    [InlineData("empty in (,x)", true)]
    [InlineData("app=web,tier=frontend,!missing", true)]
    [InlineData("app=web,tier=backend", false)]
    [InlineData("  app = web ,  tier  ", true)]
    [InlineData("", true)]
    public void Matches_as_kubernetes_does(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelectorParser.Parse(selector).Matches(Web));

    [Fact]
    public void A_pod_without_labels_passes_only_negative_requirements()
    {
        Assert.True(LabelSelectorParser.Parse("!a,b!=c,d notin (e)").Matches(null));
        Assert.False(LabelSelectorParser.Parse("a").Matches(null));
        Assert.False(LabelSelectorParser.Parse("a=b").Matches(null));
    }

    [Theory]
    [InlineData("a=(b)")]
    [InlineData("a in ()")]
    [InlineData("a in (x")]
    [InlineData("a in x")]
    [InlineData("a notin")]
    [InlineData("in")]
    [InlineData("a b")]
    [InlineData("=b")]
    [InlineData("a=b=c")]
    [InlineData("a,")]
    [InlineData(",a")]
    [InlineData("a > 1")]
    [InlineData("a=b)")]
    [InlineData("!")]
    [InlineData("!a=b")]
    [InlineData("Bad_Prefix/a=b")]
    [InlineData("a/b/c=d")]
    [InlineData("-a=b")]
    [InlineData("a=b-")]
    [InlineData("a=é")]
    public void Malformed_selectors_are_refused_with_a_position(string selector)
    {
        var error = Assert.Throws<FormatException>(() => LabelSelectorParser.Parse(selector));
        Assert.Contains("position", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_and_values_of_63_characters_pass_and_64_do_not()
    {
        var name63 = "a" + new string('b', 61) + "c";
        Assert.True(LabelSelectorParser.Parse($"{name63}={name63}").Matches(new Dictionary<string, string> { [name63] = name63 }));
        Assert.Throws<FormatException>(() => LabelSelectorParser.Parse($"{name63}x=a"));
        Assert.Throws<FormatException>(() => LabelSelectorParser.Parse($"a={name63}x"));
    }

    [Fact]
    public void WithKeys_renames_every_requirements_key()
    {
        var sanitized = LabelSelectorParser.Parse("app.kubernetes.io/name=web,!example.com/x").WithKeys(k => k.Replace('.', '_').Replace('/', '_'));
        Assert.True(sanitized.Matches(new Dictionary<string, string> { ["app_kubernetes_io_name"] = "web" }));
        Assert.False(sanitized.Matches(new Dictionary<string, string> { ["app_kubernetes_io_name"] = "web", ["example_com_x"] = "" }));
    }
}
