using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PhoenixSlt.E2E.Tests;

/// Drives the running portal in headless chromium: the Blazor circuit must connect and the pages must react.
public partial class PortalBrowserTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task ScorePage_PasteAndClickScore_ShowsBleu()
    {
        IPage page = await portal.OpenInteractiveAsync("score");

        // Identical hypotheses and references: every n-gram matches and the brevity penalty is 1, so BLEU = 100.
        const string text = "morgen regnet es im norden\nim süden scheint die sonne\n";
        await page.Locator("textarea[data-testid=hypotheses]").FillAsync(text);
        await page.Locator("textarea[data-testid=references]").FillAsync(text);
        await page.Locator("[data-testid=score-button]").ClickAsync();

        ILocator bleu = page.Locator("[data-testid=bleu-score]");
        await Assertions.Expect(bleu).ToHaveTextAsync("100.00");
        await Assertions.Expect(page.Locator("[data-testid=bleu-string]")).ToHaveTextAsync(BleuLine());
        await Assertions.Expect(page.Locator("td.sentence-bleu")).ToHaveCountAsync(2);
        await page.CloseAsync();
    }

    [Fact]
    public async Task ScorePage_LineCountMismatch_ShowsError()
    {
        IPage page = await portal.OpenInteractiveAsync("score");

        await page.Locator("textarea[data-testid=hypotheses]").FillAsync("a\nb\nc");
        await page.Locator("textarea[data-testid=references]").FillAsync("a\nb");
        await page.Locator("[data-testid=score-button]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=score-errors]")).ToContainTextAsync("3 hypotheses but 2 references");
        await page.CloseAsync();
    }

    [Fact]
    public async Task ScorePage_UploadButton_OpensThePickerAndFillsTheField()
    {
        IPage page = await portal.OpenInteractiveAsync("score");
        string file = Path.Combine(Path.GetTempPath(), $"phoenix-score-{Guid.NewGuid():N}.txt");
        const string text = "morgen regnet es\nim süden sonne\n";
        await File.WriteAllTextAsync(file, text);
        try
        {
            // The button itself must open the file chooser (the upload's activation), then the chosen file's text
            // lands in the field beside it.
            IFileChooser chooser = await page.RunAndWaitForFileChooserAsync(
                () => page.Locator("[data-testid=hypotheses-upload]").ClickAsync());
            await chooser.SetFilesAsync(file);
            await Assertions.Expect(page.Locator("textarea[data-testid=hypotheses]")).ToHaveValueAsync(text);
        }
        finally
        {
            File.Delete(file);
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task DatasetsPage_FirstStartDataset_ShowsSplitCounts()
    {
        IPage page = await portal.OpenInteractiveAsync("datasets");

        await Assertions.Expect(page.Locator("[data-testid=split-train-samples]")).ToHaveTextAsync(PortalFixture.TrainSamples.ToString());
        await Assertions.Expect(page.Locator("[data-testid=split-dev-samples]")).ToHaveTextAsync(PortalFixture.DevSamples.ToString());
        await Assertions.Expect(page.Locator("[data-testid=split-test-samples]")).ToHaveTextAsync(PortalFixture.TestSamples.ToString());

        await page.Locator("[data-testid=sample-table] tbody tr").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sample-translation]")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("[data-testid=sample-kpts-frames]")).ToHaveTextAsync(PositiveInteger());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Navigation_DrawerLinks_SwitchPagesInsideTheCircuit()
    {
        IPage page = await portal.OpenInteractiveAsync("");

        await page.GetByRole(AriaRole.Link, new() { Name = "Score" }).First.ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/score$"));
        await Assertions.Expect(page.Locator("h4", new() { HasText = "Score translations" })).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    [GeneratedRegex(@"^BLEU = 100\.00 100\.0/100\.0/100\.0/100\.0 \(BP = 1\.000 ratio = 1\.000 hyp_len = 10 ref_len = 10\)$")]
    private static partial Regex BleuLine();

    [GeneratedRegex(@"^[1-9][0-9]*$")]
    private static partial Regex PositiveInteger();
}
