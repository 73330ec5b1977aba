using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace CoachService.Testing.Browser;

/// <summary>
/// A page of <see cref="ChromiumBrowser"/> that keeps what would go unnoticed otherwise: console errors,
/// uncaught exceptions and Content-Security-Policy violations (counted by a <c>securitypolicyviolation</c>
/// listener installed before the page's own scripts).
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private const string ViolationListener = """
        window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", e =>
          window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
        """;

    private readonly IBrowserContext context;

    private BrowserPage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => PageErrors.Add(error);
    }

    public IPage Page { get; }

    public ConcurrentBag<string> ConsoleErrors { get; } = [];

    public ConcurrentBag<string> PageErrors { get; } = [];

    internal static async Task<BrowserPage> AttachAsync(IBrowserContext context, IPage page, string? initScript)
    {
        var browserPage = new BrowserPage(context, page);
        await page.AddInitScriptAsync(ViolationListener);
        if (initScript is not null)
        {
            await page.AddInitScriptAsync(initScript);
        }

        return browserPage;
    }

    /// <summary>The CSP violations the current document reported.</summary>
    public async Task<IReadOnlyList<string>> CspViolationsAsync() =>
        await Page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []");

    /// <summary>Saves a full-page PNG under <see cref="ChromiumBrowser.ScreenshotFolder"/> and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ChromiumBrowser.ScreenshotFolder);
        var path = Path.Combine(ChromiumBrowser.ScreenshotFolder, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
