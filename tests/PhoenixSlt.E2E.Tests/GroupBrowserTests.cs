using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PhoenixSlt.E2E.Tests;

/// Seeds from the browser: the New-run form queues a 2-seed group of tiny slt runs, the group page opens, lists both
/// runs and follows them live until both completed with a BLEU-4 mean ± sd.
public partial class GroupBrowserTests(TrainingPortalFixture portal) : IClassFixture<TrainingPortalFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task NewRunPage_TwoSeeds_OpensTheGroupPageListingBothRunsLive()
    {
        IPage page = await portal.OpenInteractiveAsync("runs/new");
        await Assertions.Expect(page.Locator("[data-testid=data][role=combobox]")).ToHaveTextAsync(TrainingPortalFixture.DatasetName);

        await SetAsync(page, "name", "browser seeds");
        await SetAsync(page, "epochs", "");
        await SetAsync(page, "max-steps", "2");
        await SetAsync(page, "batch-size", "4");
        await SetAsync(page, "beams", "1");
        await SetAsync(page, "loader-workers", "0");
        await SetAsync(page, "seeds", "2");
        await Assertions.Expect(page.Locator("[data-testid=planned-runs]")).ToContainTextAsync("2 runs (1 setting × 2 seeds)");
        await Assertions.Expect(page.Locator("[data-testid=submit]")).ToHaveTextAsync("Queue 2 runs");
        await page.Locator("[data-testid=submit]").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(GroupUrl());
        await Assertions.Expect(page.Locator("[data-testid=group-name]")).ToHaveTextAsync("browser seeds");
        await Assertions.Expect(page.Locator("[data-testid=group-run]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=group-run-link]")).ToHaveTextAsync(["browser seeds · seed 42", "browser seeds · seed 43"]);
        // followed live: both runs complete without a reload and the setting gets its mean ± sd over 2 runs
        await Assertions.Expect(page.Locator("[data-testid=group-status-counts]")).ToHaveTextAsync("2 completed",
            new() { Timeout = (float)RunTimeout.TotalMilliseconds });
        await Assertions.Expect(page.Locator("[data-testid=setting-n]")).ToHaveTextAsync("2/2");
        await Assertions.Expect(page.Locator("[data-testid=setting-bleu4]")).ToHaveTextAsync(MeanSd());
        await page.CloseAsync();
    }

    private static async Task SetAsync(IPage page, string field, string value)
    {
        ILocator input = page.Locator($"input[data-testid={field}]");
        await input.FillAsync(value);
        await input.DispatchEventAsync("change");
        await Assertions.Expect(input).ToHaveValueAsync(value);
    }

    [GeneratedRegex(@"/groups/\d+$")]
    private static partial Regex GroupUrl();

    /// "11.20 ± 0.39".
    [GeneratedRegex(@"^\d+\.\d\d ± \d+\.\d\d$")]
    private static partial Regex MeanSd();
}
