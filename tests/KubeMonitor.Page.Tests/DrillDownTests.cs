using KubeMonitor.Page.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KubeMonitor.Page.Tests;

/// <summary>From the namespaces to a container by links only, each step a URL of its own.</summary>
public sealed class DrillDownTests(Browser browser) : PageTest(browser)
{
    [Fact]
    public async Task Links_lead_from_namespace_to_deployment_to_pod_to_container()
    {
        var pod = Cluster.Web2;
        await Session.GoAsync("#/namespaces");
        await Expect(Row("payments")).ToBeVisibleAsync();
        await Expect(Row("shop").Locator("td").Nth(1)).ToHaveTextAsync(Cluster.Pods.Count(p => p.Namespace == "shop").ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Page.ClickAsync("tr[data-key=shop] a");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/namespaces/shop$"));
        await Expect(Page.Locator("h2", new() { HasText = "Namespace shop" })).ToBeVisibleAsync();
        await Expect(Row("web")).ToBeVisibleAsync();
        await Session.ScreenshotAsync("namespace");

        await Page.ClickAsync("tr[data-key=web] a");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/namespaces/shop/deployments/web$"));
        var webPods = Cluster.Pods.Where(p => p.Deployment == "web").Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        await Expect(Page.Locator("table.grid tbody tr td:first-child")).ToHaveTextAsync(webPods);
        // Its pods in one paged read of the pod list, not one read per pod.
        Assert.Contains(Session.Requests, u => u.Contains("/api/pods?", StringComparison.Ordinal) && u.Contains("deployment=web", StringComparison.Ordinal));
        Assert.DoesNotContain(Session.Requests, u => new Uri(u).AbsolutePath.StartsWith("/api/pods/", StringComparison.Ordinal));

        await Page.ClickAsync($"tr[data-key=\"shop/{pod.Name}\"] td:first-child a");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/namespaces/shop/pods/{pod.Name}$"));
        await Expect(Page.Locator(".crumbs")).ToContainTextAsync("web"); // the pod's deployment is in its trail
        await Expect(Row("app")).ToBeVisibleAsync();
        await Session.ScreenshotAsync("pod");
        // Dark when the system is dark (prefers-color-scheme), charts included.
        var light = await Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        Assert.NotEqual(light, await Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        await Session.ScreenshotAsync("pod-dark");
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

        await Page.ClickAsync("tr[data-key=app] a");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/namespaces/shop/pods/{pod.Name}/containers/app$"));
        await Expect(Page.Locator("h2", new() { HasText = "Container app" })).ToBeVisibleAsync();
        // Its CPU against its limit: 300m of 1 core; request 1/4 of the limit.
        await Expect(Page.Locator(".stats dd").First).ToContainTextAsync($"{pod.CpuCores * 1000:F0}m");
        await Expect(Page.Locator(".stats div", new() { HasText = "CPU request / limit" }).Locator("dd")).ToHaveTextAsync($"{pod.CpuLimitCores / 4 * 1000:F0}m / {pod.CpuLimitCores:F2}");
        await Expect(Page.Locator("figure.chart")).ToHaveCountAsync(2); // CPU and memory: the API has no per-container disk or network
        Session.AssertClean();
    }
}
