using CoachService.Testing;
using CoachService.Testing.Browser;
using Microsoft.Playwright;

namespace CoachService.Tests.Cli;

public sealed class HtmlReportBrowserTests
{
    [Fact]
    public async Task The_html_report_loads_in_headless_chromium_without_script_errors_or_requests()
    {
        using var folder = new TemporaryFolder();
        // Against the recordings: the hand-written replies differ from the offline engine's.
        var run = await CoachTool.ReplayAsync(folder, CoachTool.Samples, "--prompts", Path.Combine(CoachTool.RepositoryRoot(), "prompts"));
        Assert.True(File.Exists(folder.Combine("report", "report.html")), run.Output + run.Error);

        await using var browser = await ChromiumBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        var requests = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.Request += (_, request) => requests.Add(request.Url);

        var url = new Uri(folder.Combine("report", "report.html")).AbsoluteUri;
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });

        Assert.Equal("Prompt replay", await page.TitleAsync());
        Assert.Equal(29, await page.Locator(".turn").CountAsync());
        Assert.True(await page.Locator("del, ins").CountAsync() > 0, "a word-level diff of the replies");
        Assert.True(await page.Locator(".chip.passed").CountAsync() > 0);
        // The inline script works: only the turns that changed or failed stay visible.
        await page.Locator("#only-changed").CheckAsync();
        var unchanged = await page.Locator(".turn[data-interesting=no]").CountAsync();
        Assert.True(unchanged > 0, "the crisis reply of the sample is the recorded one");
        Assert.Equal(unchanged, await page.Locator(".turn.hidden").CountAsync());

        await page.Locator("#only-changed").UncheckAsync();
        Directory.CreateDirectory(ChromiumBrowser.ScreenshotFolder);
        var screenshot = Path.Combine(ChromiumBrowser.ScreenshotFolder, "coach-report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = false });

        Assert.Empty(errors);
        // Self-contained: the report itself is the only thing the page loaded.
        Assert.Equal([url], requests);
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }
}
