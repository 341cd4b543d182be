using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

public sealed class RunComparePageTests : RunsTestContext
{
    private int _small, _large;

    /// Two slt runs differing in batch size and seed; the larger batch has the higher BLEU-4 and the higher val loss.
    private void SaveTwoRuns()
    {
        _small = ComparisonSeed.SaveCompletedRun(Contexts, new RunSpec { Name = "small batch", Data = DatasetName, BatchSize = 4, Seed = 1 },
            new Dictionary<string, double> { ["bleu4"] = 8.5, ["val_loss"] = 3.1 }, tags: ["baseline"]);
        _large = ComparisonSeed.SaveCompletedRun(Contexts, new RunSpec { Name = "large batch", Data = DatasetName, BatchSize = 16, Seed = 2 },
            new Dictionary<string, double> { ["bleu4"] = 11.25, ["val_loss"] = 3.4 });
    }

    private IRenderedComponent<RunCompare> RenderAt(string ids)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"runs/compare?ids={ids}");
        Render<MudBlazor.MudPopoverProvider>();
        IRenderedComponent<RunCompare> cut = Render<RunCompare>();
        cut.WaitForAssertion(() => Assert.True(cut.FindAll("[data-testid=settings-table]").Count > 0 || cut.FindAll("[data-testid=compare-problem]").Count > 0), Wait);
        return cut;
    }

    private static AngleSharp.Dom.IElement SettingRow(IRenderedComponent<RunCompare> cut, string name)
        => cut.FindAll("[data-testid=setting-row]").Single(r => r.GetAttribute("data-setting") == name);

    [Fact]
    public void Render_TwoRuns_DifferingSettingsHighlightedBestMetricsMarkedRunsLinked()
    {
        SaveTwoRuns();

        IRenderedComponent<RunCompare> cut = RenderAt($"{_small},{_large}");

        var batch = SettingRow(cut, "batch_size");
        Assert.Contains("differs", batch.ClassList);
        Assert.Equal("true", batch.GetAttribute("data-differs"));
        Assert.Equal(["Batch size", "4", "16"], batch.QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        var beams = SettingRow(cut, "beams");
        Assert.DoesNotContain("differs", beams.ClassList);
        Assert.Equal("false", beams.GetAttribute("data-differs"));
        // every spec field but name and out is a row
        Assert.Equal($"2 of {RunSpecFields.All.Count - 2} settings differ", cut.Find("[data-testid=difference-count]").TextContent);

        Assert.Equal([$"runs/{_small}", $"runs/{_large}"], cut.FindAll("[data-testid=compare-run-link]").Select(a => a.GetAttribute("href")));
        Assert.Equal(["baseline"], cut.FindAll("[data-testid=compare-run-tag]").Select(c => c.TextContent.Trim()));

        // BLEU-4: higher is better (the second run); val loss: lower is better (the first run)
        var bleu = cut.FindAll("[data-testid=metric-row]").Single(r => r.GetAttribute("data-metric") == "bleu4");
        Assert.Equal(["false", "true"], bleu.QuerySelectorAll("td[data-best]").Select(td => td.GetAttribute("data-best")));
        Assert.Equal("11.25", bleu.QuerySelector("td.best")!.TextContent);
        var loss = cut.FindAll("[data-testid=metric-row]").Single(r => r.GetAttribute("data-metric") == "val_loss");
        Assert.Equal(["true", "false"], loss.QuerySelectorAll("td[data-best]").Select(td => td.GetAttribute("data-best")));

        // the chart section's data: batch size and seed vs BLEU-4, best first
        Assert.Equal(["large batch", "small batch"], cut.FindAll("[data-testid=parallel-row] td:first-child").Select(td => td.TextContent));
        // the parallel-coordinates plot draws both runs (both have every differing setting and a BLEU-4)
        Assert.Equal("2", cut.Find("[data-testid=compare-parallel]").GetAttribute("data-lines"));
        Assert.Single(cut.FindAll("[data-testid=compare-parallel-plot]"));
    }

    [Fact]
    public void DifferencesOnly_SwitchedOn_HidesEqualRows()
    {
        SaveTwoRuns();
        IRenderedComponent<RunCompare> cut = RenderAt($"{_small},{_large}");
        Assert.Contains(cut.FindAll("[data-testid=setting-row]"), r => r.GetAttribute("data-setting") == "beams");

        var toggle = cut.Find("[data-testid=differences-only]");
        (toggle.TagName == "INPUT" ? toggle : toggle.QuerySelector("input[type=checkbox]")!).Change(true);

        cut.WaitForAssertion(() => Assert.Equal(["batch_size", "seed"],
            cut.FindAll("[data-testid=setting-row]").Select(r => r.GetAttribute("data-setting"))), Wait);
    }

    [Fact]
    public void Render_UnknownRun_SaysWhichDoesNotExist()
    {
        SaveTwoRuns();

        IRenderedComponent<RunCompare> cut = RenderAt($"{_small},999");

        Assert.Contains("Run 999 does not exist.", cut.Find("[data-testid=compare-problem]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=settings-table]"));
    }

    [Fact]
    public void Render_OneRun_AsksForTwo()
    {
        SaveTwoRuns();

        IRenderedComponent<RunCompare> cut = RenderAt($"{_small}");

        Assert.Contains("at least two runs (got 1)", cut.Find("[data-testid=compare-problem]").TextContent);
    }
}
