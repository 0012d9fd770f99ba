using Microsoft.Playwright;

namespace KubeMonitor.Page.Tests.Support;

/// <summary>A test of the page: a facade of its own with <see cref="Cluster"/> pushed, and one tab on it.</summary>
public abstract class PageTest(Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    protected const int Pushed = 6;

    protected Browser Browser { get; } = browser;
    protected ShippedFacade Facade { get; private set; } = null!;
    protected PageSession Session { get; private set; } = null!;
    protected IPage Page => Session.Page;
    protected DateTime Start { get; private set; }

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public async Task InitializeAsync()
    {
        Facade = await ShippedFacade.StartAsync(Settings);
        Start = Samples.StartFor(Pushed);
        await Samples.PushAsync(Facade, Cluster.Nodes, Start, Pushed);
        Session = await PageSession.OpenAsync(Browser, Facade);
    }

    public async Task DisposeAsync()
    {
        if (Session is not null) await Session.DisposeAsync();
        if (Facade is not null) await Facade.DisposeAsync();
    }

    protected ILocator Row(string key) => Page.Locator($"tr[data-key=\"{key}\"]");
}
