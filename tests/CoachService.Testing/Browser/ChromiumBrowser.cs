using Microsoft.Playwright;

namespace CoachService.Testing.Browser;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, the <c>chromium</c> package that .ci/run installs), headless,
/// driven by Playwright for .NET. Playwright never downloads a browser here: it launches the executable the
/// machine has. One instance can serve many tests; each test opens its own <see cref="BrowserPage"/>
/// (a fresh browser context: no cookies or storage shared between tests).
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    /// <summary>Where the browser is; <c>CHROMIUM_PATH</c> overrides it.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    // No sandbox: the tests run as root in CI, where Chromium refuses its sandbox. The rest keeps the
    // browser from reaching anything but the pages the tests open (no updates, sync or QUIC probes).
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    private readonly IPlaywright playwright;

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Folder of the screenshots tests take: <c>screenshots/</c> in the test output.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ExecutablePath}: install Debian's 'chromium' package (.ci/run does).");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
            });
            return new ChromiumBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new page in its own context, recording console errors, page errors and CSP violations.</summary>
    /// <param name="baseUrl">The site under test; relative URLs in <see cref="IPage.GotoAsync"/> resolve against it.</param>
    /// <param name="width">Viewport width in CSS pixels (390 for a phone).</param>
    /// <param name="initScript">JavaScript run before any of the page's own, in every document (fakes of browser APIs).</param>
    public async Task<BrowserPage> NewPageAsync(Uri baseUrl, int width = 1280, int height = 900, string? initScript = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        return await BrowserPage.AttachAsync(context, page, initScript);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}
