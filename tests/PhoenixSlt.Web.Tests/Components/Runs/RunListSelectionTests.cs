using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

/// The Runs page's selection for Compare and its tag filter.
public sealed class RunListSelectionTests : RunsTestContext
{
    private IRenderedComponent<MudPopoverProvider>? _popovers;
    private int _first, _second, _third;

    private void SaveThreeRuns()
    {
        _first = ComparisonSeed.SaveCompletedRun(Contexts, new RunSpec { Name = "first", Data = DatasetName }, new Dictionary<string, double>(), tags: ["baseline", "lr"]);
        _second = ComparisonSeed.SaveCompletedRun(Contexts, new RunSpec { Name = "second", Data = DatasetName }, new Dictionary<string, double>(), tags: ["lr"]);
        _third = ComparisonSeed.SaveCompletedRun(Contexts, new RunSpec { Name = "third", Data = DatasetName }, new Dictionary<string, double>());
    }

    private IRenderedComponent<RunList> RenderList()
    {
        _popovers = Render<MudPopoverProvider>();
        IRenderedComponent<RunList> cut = Render<RunList>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=run-id]").Count), Wait);
        return cut;
    }

    private static void Select(IRenderedComponent<RunList> cut, int id)
    {
        var box = cut.Find($"[data-testid=select-run-{id}]");
        (box.TagName == "INPUT" ? box : box.QuerySelector("input[type=checkbox]")!).Change(true);
    }

    private static bool CompareDisabled(IRenderedComponent<RunList> cut) => cut.Find("[data-testid=compare-selected]").HasAttribute("disabled");

    private static string[] ShownIds(IRenderedComponent<RunList> cut)
        => [.. cut.FindAll("[data-testid=run-id]").Select(td => td.TextContent.Trim())];

    [Fact]
    public void Select_TwoRuns_EnablesCompareWhichOpensTheirComparison()
    {
        SaveThreeRuns();
        IRenderedComponent<RunList> cut = RenderList();
        Assert.True(CompareDisabled(cut));

        Select(cut, _third);
        cut.WaitForAssertion(() => Assert.Contains("(1)", cut.Find("[data-testid=compare-selected]").TextContent), Wait);
        Assert.True(CompareDisabled(cut));
        Select(cut, _first);

        cut.WaitForAssertion(() => Assert.False(CompareDisabled(cut)), Wait);
        cut.Find("[data-testid=compare-selected]").Click();
        var navigation = Services.GetRequiredService<NavigationManager>();
        Assert.EndsWith($"/runs/compare?ids={_third},{_first}", navigation.Uri);
    }

    [Fact]
    public void TagFilter_ChoosingATag_ShowsOnlyRunsCarryingIt()
    {
        SaveThreeRuns();
        IRenderedComponent<RunList> cut = RenderList();
        Assert.Equal(["baseline", "lr"], cut.FindAll("[data-testid=run-tag]").Where(c => c.Closest("tr")!.QuerySelector("[data-testid=run-id]")!.TextContent.Trim() == _first.ToString())
            .Select(c => c.TextContent.Trim()));

        cut.Find("[data-testid=tag-filter]").Closest(".mud-input-control")!.MouseDown();
        var popovers = _popovers!;
        // the choices come from the stored tags, with how many runs carry each, most used first
        popovers.WaitForAssertion(() => Assert.Equal(["lr (2)", "baseline (1)"], popovers.FindAll(".mud-list-item").Select(i => i.TextContent.Trim())), Wait);
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == "lr (2)").Click();

        cut.WaitForAssertion(() => Assert.Equal([_second.ToString(), _first.ToString()], ShownIds(cut)), Wait);
    }
}
