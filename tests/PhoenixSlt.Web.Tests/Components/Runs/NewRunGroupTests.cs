using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

/// The New-run form's Seeds, Sweep and Pre-training ablation inputs over the real run and group services.
public sealed class NewRunGroupTests : RunsTestContext
{
    private IRenderedComponent<MudBlazor.MudPopoverProvider>? _popovers;

    private IRenderedComponent<NewRun> RenderForm()
    {
        _popovers = Render<MudBlazor.MudPopoverProvider>();
        IRenderedComponent<NewRun> cut = Render<NewRun>();
        cut.WaitForAssertion(() => Assert.Equal(DatasetName, cut.Find("[data-testid=data][role=combobox]").TextContent.Trim()), Wait);
        return cut;
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<NewRun> cut, string testId) => cut.Find($"input[data-testid={testId}]");

    private static string ErrorOf(IRenderedComponent<NewRun> cut, string testId)
        => Input(cut, testId).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() ?? "";

    private static string Planned(IRenderedComponent<NewRun> cut) => cut.Find("[data-testid=planned-runs]").TextContent.Trim();

    private IReadOnlyList<RunInfo> StoredRuns() => Store.ListAsync().GetAwaiter().GetResult();

    /// The form's seed (RunSpecDefaults on the CPU).
    private static int FormSeed => RunSpecDefaults.For("cpu").Seed;

    private void TurnSweepOn(IRenderedComponent<NewRun> cut)
    {
        var toggle = cut.Find("[data-testid=sweep-enabled]");
        (toggle.TagName == "INPUT" ? toggle : toggle.QuerySelector("input[type=checkbox]")!).Change(true);
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=sweep]")), Wait);
    }

    private void PickSweepField(IRenderedComponent<NewRun> cut, int row, string field)
    {
        cut.Find($"[data-testid=sweep-field-{row}]").Closest(".mud-input-control")!.MouseDown();
        var popovers = _popovers!;
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == field), Wait);
        popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Trim() == field).Click();
    }

    [Fact]
    public void Render_FreshForm_PlansOneRun()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Assert.Equal("1", Input(cut, "seeds").GetAttribute("value"));
        Assert.Equal("Start queues 1 run", Planned(cut));
        Assert.Equal("Start run", cut.Find("[data-testid=submit]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=sweep]"));
    }

    [Fact]
    public void Seeds_Three_ShowsThreeRunsAndQueuesASeedsGroupThenOpensIt()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Input(cut, "seeds").Change("3");

        cut.WaitForAssertion(() => Assert.Equal("Start queues 3 runs (1 setting × 3 seeds) as a group; its page opens", Planned(cut)), Wait);
        Assert.Equal("Queue 3 runs", cut.Find("[data-testid=submit]").TextContent.Trim());
        // the estimate is per run, plus the three runs one after another
        cut.WaitForAssertion(() => Assert.Matches(@"^Estimated time: ~.+ per run, ~.+ for the 3 runs one after another$", cut.Find("[data-testid=estimate]").TextContent.Trim()), Wait);
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Equal(3, StoredRuns().Count), Wait);
        var runs = StoredRuns().OrderBy(r => r.Id).ToList();
        int groupId = Assert.Single(runs.Select(r => r.GroupId).Distinct())!.Value;
        var seeds = runs.Select(r => Store.GetDetailsAsync(r.Id).GetAwaiter().GetResult()!.Config.Seed);
        Assert.Equal([FormSeed, FormSeed + 1, FormSeed + 2], seeds);
        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith($"/groups/{groupId}", navigation.Uri), Wait);
    }

    [Fact]
    public void Seeds_Zero_ShowsThePlansProblemAndQueuesNothing()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        string expected = RunGroupPlan.Seeds(null, 0, FormSeed).Problem!;

        Input(cut, "seeds").Change("0");
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Equal(expected, ErrorOf(cut, "seeds")), Wait);
        Assert.Equal("Nothing to queue until the problems above are fixed.", Planned(cut));
        Assert.Empty(StoredRuns());
    }

    [Fact]
    public void Sweep_TwoValuesTwoSeeds_ShowsFourRuns()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        Input(cut, "seeds").Change("2");
        TurnSweepOn(cut);

        PickSweepField(cut, 0, "lr_encoder");
        Input(cut, "sweep-values-0").Change("1e-4, 3e-4");

        cut.WaitForAssertion(() => Assert.Equal("Start queues 4 runs (2 settings × 2 seeds) as a group; its page opens", Planned(cut)), Wait);
        Assert.Empty(cut.FindAll("[data-testid=sweep-errors]"));
    }

    [Fact]
    public void Sweep_ValueOutOfRange_ShowsTheFieldsMessageAndQueuesNothing()
    {
        string expected = RunSpecFields.Get("batch_size").Check(0)!;
        IRenderedComponent<NewRun> cut = RenderForm();
        TurnSweepOn(cut);

        PickSweepField(cut, 0, "batch_size");
        Input(cut, "sweep-values-0").Change("4, 0");
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Equal([expected], cut.FindAll("[data-testid=sweep-errors] li").Select(li => li.TextContent.Trim())), Wait);
        Assert.Empty(StoredRuns());
    }

    [Fact]
    public void Sweep_RandomRangeOnAGrid_NeedsRandomSearch()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        TurnSweepOn(cut);
        PickSweepField(cut, 0, "dropout");

        cut.WaitForAssertion(() => Assert.Contains("dropout: give a list of values", cut.Find("[data-testid=sweep-errors]").TextContent), Wait);
    }

    [Fact]
    public void Ablation_QueuesScratchAndPipelineWithTheFormsBudgetThenOpensTheGroup()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        Input(cut, "max-steps").Change("7");
        Assert.Contains("2 runs (2 settings × 1 seed)", cut.Find("[data-testid=ablation-help]").TextContent);

        cut.Find("[data-testid=ablation]").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, StoredRuns().Count), Wait);
        var runs = StoredRuns().OrderBy(r => r.Id).ToList();
        Assert.Equal([TrainingPhaseNames.Slt, TrainingPhaseNames.Pipeline], runs.Select(r => r.Phase));
        Assert.Equal([RunGroupPlan.ScratchArm, RunGroupPlan.PipelineArm], runs.Select(r => r.GroupLabel));
        var configs = runs.Select(r => Store.GetDetailsAsync(r.Id).GetAwaiter().GetResult()!.Config).ToList();
        Assert.All(configs, c => Assert.Equal((7L, (int?)RunSpecDefaults.For("cpu").Epochs), (c.MaxSteps!.Value, c.Epochs)));
        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith($"/groups/{runs[0].GroupId}", navigation.Uri), Wait);
    }
}
