using KubeMonitor.Page.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace KubeMonitor.Page.Tests;

/// <summary>With Facade:Auth:ProtectReads the page asks for the token once, keeps it for the tab and sends it as a bearer token.</summary>
public sealed class TokenTests(Browser browser) : PageTest(browser)
{
    private const string Token = "page-test-token";

    // The failure throttle is off: the test sends a wrong token on purpose.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Facade:Auth:Token"] = Token, ["Facade:Auth:ProtectReads"] = "true", ["Facade:Auth:FailureLimit"] = "0",
    };

    [Fact]
    public async Task Asks_once_keeps_the_token_for_the_tab_and_sends_it_as_a_bearer_token()
    {
        var sent = new List<string?>();
        Page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)) lock (sent) sent.Add(request.Headers.GetValueOrDefault("authorization"));
        };
        await Session.GoAsync("#/nodes");
        var dialog = Page.Locator("dialog.token");
        await Expect(dialog).ToBeVisibleAsync();
        await Session.ScreenshotAsync("token");

        // A wrong token is refused (403) and asked for again, saying why.
        await dialog.Locator("input[name=token]").FillAsync("not-the-token");
        await dialog.Locator("button[type=submit]").ClickAsync();
        await Expect(Page.Locator("dialog.token")).ToContainTextAsync("not accepted");

        await Page.Locator("dialog.token input[name=token]").FillAsync(Token);
        await Page.Locator("dialog.token button[type=submit]").ClickAsync();
        await Expect(Row(Cluster.NodeA.Name)).ToBeVisibleAsync();
        await Expect(Page.Locator("dialog.token")).ToHaveCountAsync(0);
        lock (sent) Assert.Contains($"Bearer {Token}", sent);

        // The tab keeps it (sessionStorage): a reload asks nothing; nothing is left in a cookie or localStorage.
        await Page.ReloadAsync();
        await Expect(Row(Cluster.NodeB.Name)).ToBeVisibleAsync();
        await Expect(Page.Locator("dialog.token")).ToHaveCountAsync(0);
        Assert.Equal(Token, await Page.EvaluateAsync<string>("() => sessionStorage.getItem('kubemonitor.token')"));
        Assert.Equal(0, await Page.EvaluateAsync<int>("() => localStorage.length"));
        Assert.Empty(await Page.Context.CookiesAsync());

        // Another browser session (a new tab) has to give it again.
        await using var other = await PageSession.OpenAsync(Browser, Facade);
        await other.GoAsync("#/pods");
        await Expect(other.Page.Locator("dialog.token")).ToBeVisibleAsync();

        // The refusals of the API are the only errors the console shows.
        Session.AssertClean(error => error.Contains("status of 401", StringComparison.Ordinal) || error.Contains("status of 403", StringComparison.Ordinal));
    }
}
