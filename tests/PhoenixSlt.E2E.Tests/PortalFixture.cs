using System.Net.Http.Json;
using Microsoft.Playwright;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.E2E.Tests;

/// One portal on real Kestrel (temporary data root, first start generates a 20/5/5 synthetic dataset)
/// and one headless Debian chromium driven by Playwright, shared by the browser tests of a class.
public sealed class PortalFixture : IAsyncLifetime
{
    /// Debian's chromium; PHOENIX_CHROMIUM overrides. Playwright never downloads a browser here.
    public static string ChromiumPath => Environment.GetEnvironmentVariable("PHOENIX_CHROMIUM") is { Length: > 0 } path
        ? path
        : "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    /// First-start sizes of the synthetic dataset (small, to keep the suite fast).
    public const int TrainSamples = 20;
    public const int DevSamples = 5;
    public const int TestSamples = 5;

    private IPlaywright? _playwright;

    public PhoenixWebFactory Factory { get; } = new(new Dictionary<string, string?>
    {
        ["Phoenix:FirstStart:TrainSamples"] = TrainSamples.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Phoenix:FirstStart:DevSamples"] = DevSamples.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Phoenix:FirstStart:TestSamples"] = TestSamples.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        RequireChromium();
        BaseAddress = Factory.StartKestrel();
        await WaitForFirstStartAsync(TimeSpan.FromMinutes(3));
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// Fails with what to install when Debian's chromium is missing.
    public static void RequireChromium()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"Chromium not found at {ChromiumPath}: install Debian's browser with `apt-get install -y chromium` "
                + "or point PHOENIX_CHROMIUM at a chromium binary.");
    }

    /// Headless Debian chromium, as every browser test uses it.
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        RequireChromium();
        // Expectations wait as long as page actions (BrowserSignIn: 30 s): the default 5 s is too short when the
        // other test assemblies keep both cores busy.
        Assertions.SetDefaultExpectTimeout(30_000);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// A new page, signed in as the admin through the sign-in form, whose Blazor circuit is connected (the
    /// layout reports data-interactive="true").
    public Task<IPage> OpenInteractiveAsync(string relativeUrl) =>
        BrowserSignIn.OpenSignedInAsync(Browser, BaseAddress, relativeUrl);

    private async Task WaitForFirstStartAsync(TimeSpan timeout)
    {
        using var client = PhoenixWebFactory.ApiClient(BaseAddress);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Health? health = await client.GetFromJsonAsync<Health>("/health");
            if (health?.Bootstrap is "Completed" or "NotNeeded")
                return;
            if (health?.Bootstrap == "Failed")
                throw new InvalidOperationException($"First-start dataset generation failed: {health.BootstrapError}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"First-start dataset generation did not finish within {timeout} (state {health?.Bootstrap}).");
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Factory.DisposeAsync();
    }

    private sealed record Health(string Status, string Bootstrap, string? BootstrapError);
}
