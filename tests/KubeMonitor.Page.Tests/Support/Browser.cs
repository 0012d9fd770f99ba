using Microsoft.Playwright;

namespace KubeMonitor.Page.Tests.Support;

/// <summary>
/// Debian's chromium (test.sh installs it) driven by Playwright, one per test class. Its path is
/// given, so Playwright never looks for a browser of its own (none can be downloaded here).
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (test.sh does).");
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null) await Instance.CloseAsync();
        _playwright?.Dispose();
    }
}
