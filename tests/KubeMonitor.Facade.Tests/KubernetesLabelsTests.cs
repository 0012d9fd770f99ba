using KubeMonitor.Facade.Common;

namespace KubeMonitor.Facade.Tests;

/// <summary>Kubernetes' label key and value rules (docs/api.md section 6), as a table.</summary>
public sealed class KubernetesLabelsTests
{
    private static readonly string Name63 = "a" + new string('-', 61) + "z";

    public static TheoryData<string, bool> Keys => new()
    {
        { "app", true },
        { "App.Name_1-x", true },
        { "9", true },
        { "app.kubernetes.io/name", true },
        { "example.com/Team", true },
        { Name63, true },
        { Name63 + "z", false },                              // name of 64
        { new string('a', 253) + "/x", true },                // prefix of 253
        { new string('a', 254) + "/x", false },
        { "", false },
        { "-app", false },
        { "app-", false },
        { "_app", false },
        { "a b", false },
        { "a:b", false },
        { "é", false },
        { "/x", false },                                      // empty prefix
        { "example.com/", false },                            // empty name
        { "Example.com/x", false },                           // the prefix is a lower-case DNS subdomain
        { "example_com/x", false },
        { "a/b/c", false },
    };

    public static TheoryData<string, bool> Values => new()
    {
        { "", true },
        { "web", true },
        { "1.2.3", true },
        { "A_b-C.d", true },
        { Name63, true },
        { Name63 + "z", false },
        { "-web", false },
        { "web.", false },
        { "a/b", false },
        { "a b", false },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void Key(string key, bool valid) => Assert.Equal(valid, KubernetesLabels.IsKey(key));

    [Theory]
    [MemberData(nameof(Values))]
    public void Value(string value, bool valid) => Assert.Equal(valid, KubernetesLabels.IsValue(value));

    [Fact]
    public void A_null_value_is_not_a_value() => Assert.False(KubernetesLabels.IsValue(null));
}
