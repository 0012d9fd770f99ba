using Microsoft.Playwright;

namespace KubeMonitor.Page.Tests.Support;

/// <summary>
/// One browser tab on the facade's page (a laptop-sized viewport), recording what a test asserts
/// beside its own checks: console errors, uncaught exceptions, every request and whether one
/// went to another origin.
/// </summary>
public sealed class PageSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];
    private readonly List<string> _requests = [];
    private readonly string _origin;

    private PageSession(IBrowserContext context, IPage page, string origin)
    {
        _context = context;
        Page = page;
        _origin = origin;
        page.Console += (_, message) => { if (message.Type == "error") lock (_errors) _errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (_errors) _errors.Add("uncaught: " + error); };
        page.Request += (_, request) => { lock (_requests) _requests.Add(request.Url); };
    }

    public IPage Page { get; }

    public static async Task<PageSession> OpenAsync(Browser browser, ShippedFacade facade)
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = facade.Address,
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            ColorScheme = ColorScheme.Light,
        });
        context.SetDefaultTimeout(15_000);
        return new PageSession(context, await context.NewPageAsync(), facade.Address);
    }

    /// <summary>Every URL the tab asked for so far, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    public IReadOnlyList<string> Errors
    {
        get { lock (_errors) return [.. _errors]; }
    }

    public Task GoAsync(string hash) => Page.GotoAsync("/" + hash);

    /// <summary>No console error or exception (but those <paramref name="expected"/> allows), and no request left the facade's origin.</summary>
    public void AssertClean(Func<string, bool>? expected = null)
    {
        var errors = Errors.Where(e => expected is null || !expected(e)).ToList();
        Assert.True(errors.Count == 0, "Console errors:\n" + string.Join('\n', errors));
        var foreign = Requests.Where(url => !url.StartsWith(_origin + "/", StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal)).ToList();
        Assert.True(foreign.Count == 0, "Requests to another origin:\n" + string.Join('\n', foreign));
    }

    /// <summary>A PNG of the whole page; kept under $KUBEMONITOR_SCREENSHOTS (docs/screenshots for the README) when that is set.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var png = await Page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        Assert.True(png.Length > 1000);
        if (Environment.GetEnvironmentVariable("KUBEMONITOR_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllBytesAsync(Path.Combine(folder, name + ".png"), png);
        }
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
