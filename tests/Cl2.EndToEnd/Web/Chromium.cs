using Microsoft.Playwright;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (no browser download: <see cref="ExecutablePath"/>), one fresh profile
/// per instance, pages at 1280×800. WebGL2 runs on SwiftShader, so Cornerstone renders as on a workstation.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly string _profile;

    private Chromium(IPlaywright playwright, IBrowserContext context, string profile)
    {
        this._playwright = playwright;
        Context = context;
        this._profile = profile;
    }

    public IBrowserContext Context { get; }

    /// <summary>Where the tests write their screenshots (<c>.cl2/screenshots/</c>; docs/web.md shows the current ones).</summary>
    public static string ScreenshotFolder => Path.Combine(Repository.Root, ".cl2", "screenshots");

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException($"{ExecutablePath} is missing: install Debian's chromium (./cl2 test does; apt-get install -y chromium)", ExecutablePath);
        }
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("cl2-chromium-").FullName;
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader"],
        });
        context.SetDefaultTimeout(60_000);
        return new Chromium(playwright, context, profile);
    }

    /// <summary>A screenshot of <paramref name="page"/> as <c>NAME.png</c> in <see cref="ScreenshotFolder"/>.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}.png") });
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        _playwright.Dispose();
        Directory.Delete(_profile, recursive: true);
    }
}
