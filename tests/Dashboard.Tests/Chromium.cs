using Microsoft.Playwright;
using TestSupport;

namespace Dashboard.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright: the browser is the system's (<c>apt-get install chromium</c>), never one
/// that Playwright downloads. No sandbox (CI runs as root in a container), no GPU, no background traffic, and a
/// fresh profile that Playwright creates and deletes.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--disable-quic",
    ];

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Starts Chromium, or skips the test (fails it under CI) when it is not installed.</summary>
    public static async Task<Chromium> LaunchAsync()
    {
        var executable = Requirement.NeedExecutable("chromium", "apt-get install chromium");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = Arguments,
                Timeout = 30_000,
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
