using Microsoft.Playwright;

namespace Dashboard.Tests;

/// <summary>Opening the dashboard in Chromium and finding one's way around its pages.</summary>
public static class DashboardPages
{
    /// <summary>Every step (navigation, click, expectation) gives up after this.</summary>
    private const float StepTimeoutMs = 30_000;

    /// <summary>A new page of the dashboard at <paramref name="path"/> (<c>/</c> is the Resources page).</summary>
    public static async Task<IPage> OpenAsync(Chromium chromium, Uri dashboardUrl, string path, bool showBanners = false)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1600, Height = 900 },
            BaseURL = dashboardUrl.ToString(),
        });
        // This test setup's banner (a dashboard without login) is not what a developer's own run shows, and it would
        // cover the screenshots.
        if (!showBanners)
        {
            await context.AddInitScriptAsync(HideBanners);
        }
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(StepTimeoutMs);
        Assertions.SetDefaultExpectTimeout(StepTimeoutMs);
        await page.GotoAsync(path);
        return page;
    }

    private const string HideBanners = """
        document.addEventListener('DOMContentLoaded', () => {
            const style = document.createElement('style');
            style.textContent = '.messagebar-container { display: none !important; }';
            document.head.appendChild(style);
        });
        """;

    /// <summary>A resource's row on the Resources page.</summary>
    public static ILocator ResourceRow(IPage page, string resource) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(resource, new() { Exact = true }) });

    /// <summary>An instrument in the Metrics page's tree, nested under its meter.</summary>
    public static ILocator Instrument(IPage page, string meter, string instrument) =>
        page.Locator($"fluent-tree-item[title='{meter}'] > fluent-tree-item[title='{instrument}']");

    public static Task ExpectInstrumentAsync(IPage page, string meter, string instrument) =>
        Assertions.Expect(Instrument(page, meter, instrument)).ToBeVisibleAsync();

    /// <summary>Saves what the browser shows under the test's output folder and attaches it to the test's result.</summary>
    public static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        TestContext.Current.AddAttachment(name, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken), "image/png");
    }
}
