using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.E2E.Tests;

/// Run comparison in the browser: two completed runs in the portal's database, selected on the Runs page and compared.
public partial class RunCompareBrowserTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task RunsPage_SelectTwoRunsAndCompare_ShowsTheDifferingSettingHighlighted()
    {
        var contexts = portal.Factory.Services.GetRequiredService<IDbContextFactory<PhoenixDbContext>>();
        int small = ComparisonSeed.SaveCompletedRun(contexts, new RunSpec { Name = "compare small batch", BatchSize = 4 },
            new Dictionary<string, double> { ["bleu4"] = 7.5 });
        int large = ComparisonSeed.SaveCompletedRun(contexts, new RunSpec { Name = "compare large batch", BatchSize = 16 },
            new Dictionary<string, double> { ["bleu4"] = 9.25 });
        IPage page = await portal.OpenInteractiveAsync("runs");

        ILocator compare = page.Locator("[data-testid=compare-selected]");
        await Assertions.Expect(compare).ToBeDisabledAsync();
        // the box selects the run without opening it
        await page.Locator($"[data-testid=select-run-{small}] input[type=checkbox], input[type=checkbox][data-testid=select-run-{small}]").CheckAsync();
        await Assertions.Expect(page).ToHaveURLAsync(RunsUrl());
        await page.Locator($"[data-testid=select-run-{large}] input[type=checkbox], input[type=checkbox][data-testid=select-run-{large}]").CheckAsync();
        await Assertions.Expect(compare).ToBeEnabledAsync();
        await compare.ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/runs/compare\\?ids={small},{large}$"));
        ILocator batch = page.Locator("tr[data-testid=setting-row][data-setting=batch_size]");
        await Assertions.Expect(batch).ToHaveClassAsync(new Regex("\\bdiffers\\b"));
        await Assertions.Expect(batch.Locator("td")).ToHaveTextAsync(["Batch size", "4", "16"]);
        // the highlight is visible: the differing row's cells are painted unlike an equal row's
        ILocator beams = page.Locator("tr[data-testid=setting-row][data-setting=beams]");
        string differing = await batch.Locator("td").Nth(1).EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        string equal = await beams.Locator("td").Nth(1).EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual(equal, differing);
        await Assertions.Expect(page.Locator("[data-testid=metric-row][data-metric=bleu4] td.best")).ToHaveTextAsync("9.25");
        // Plotly drew the parallel coordinates: an axis for the batch size, one for BLEU-4, a line per run
        ILocator parallel = page.Locator("[data-testid=compare-parallel] .js-plotly-plot");
        await Assertions.Expect(parallel).ToHaveCountAsync(1);
        await Assertions.Expect(parallel.Locator("g.y-axis")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(parallel.Locator("text.axis-title")).ToContainTextAsync(["batch_size", "dev BLEU-4"]);
        await page.CloseAsync();
    }

    [GeneratedRegex("/runs$")]
    private static partial Regex RunsUrl();
}
