using Bunit;
using MudBlazor;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

public sealed class RunListPageTests : RunsTestContext
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private IRenderedComponent<MudPopoverProvider>? _popovers;

    private int _completed, _running, _failed;

    /// completed slt (1 h 02 min, BLEU-4 21.7, oldest), running vlp (30 of 120 steps, ETA 90 s), failed text pipeline (newest).
    private void SaveThreeRuns()
    {
        RunEntity completed = NewRun(new RunSpec { Name = "alpha slt", Phase = TrainingPhaseNames.Slt, Data = DatasetName }, JobStatus.Completed, T0);
        completed.StartedAt = T0.AddMinutes(1);
        completed.FinishedAt = T0.AddMinutes(63);
        completed.BestBleu4 = 21.7;
        completed.ProgressStep = 500;
        completed.ProgressTotal = 500;
        _completed = Save(completed);

        RunEntity running = NewRun(new RunSpec { Name = "beta vlp", Phase = TrainingPhaseNames.Vlp, Data = DatasetName }, JobStatus.Running, T0.AddHours(1));
        running.StartedAt = DateTime.UtcNow.AddSeconds(-30);
        running.ProgressStep = 30;
        running.ProgressTotal = 120;
        running.EtaSeconds = 90;
        _running = Save(running);

        RunEntity failed = NewRun(new RunSpec { Name = "gamma pipeline", Phase = TrainingPhaseNames.Pipeline, Data = "other" }, JobStatus.Failed, T0.AddHours(2));
        failed.Error = "boom";
        _failed = Save(failed);
    }

    private IRenderedComponent<RunList> RenderList()
    {
        _popovers = Render<MudPopoverProvider>();
        IRenderedComponent<RunList> cut = Render<RunList>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=runs-table] tbody tr")), Wait);
        return cut;
    }

    private static string[] ShownIds(IRenderedComponent<RunList> cut)
        => [.. cut.FindAll("[data-testid=run-id]").Select(td => td.TextContent.Trim())];

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<RunList> cut, int id)
        => cut.FindAll("[data-testid=runs-table] tbody tr").Single(tr => tr.QuerySelector("[data-testid=run-id]")?.TextContent.Trim() == id.ToString());

    private void Choose(IRenderedComponent<RunList> cut, string filter, string item)
    {
        cut.Find($"[data-testid={filter}]").Closest(".mud-input-control")!.MouseDown();
        var popovers = _popovers!;
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == item), Wait);
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == item).Click();
    }

    [Fact]
    public void Render_ThreeStoredRuns_NewestFirstWithStatusProgressBleuAndDuration()
    {
        SaveThreeRuns();

        IRenderedComponent<RunList> cut = RenderList();

        Assert.Equal([_failed.ToString(), _running.ToString(), _completed.ToString()], ShownIds(cut));
        Assert.Equal("completed", Row(cut, _completed).QuerySelector("[data-testid=run-status]")!.GetAttribute("data-status"));
        Assert.Equal("running", Row(cut, _running).QuerySelector("[data-testid=run-status]")!.GetAttribute("data-status"));
        Assert.Equal("failed", Row(cut, _failed).QuerySelector("[data-testid=run-status]")!.GetAttribute("data-status"));
        // 30 of 120 steps = 25 %; 90 s = 1 min 30 s
        Assert.Equal("25", Row(cut, _running).QuerySelector("[data-testid=run-progress-bar]")!.GetAttribute("data-value"));
        Assert.Equal("step 30 / 120 · ETA 1 min 30 s", Row(cut, _running).QuerySelector("[data-testid=run-progress-text]")!.TextContent);
        Assert.Equal("100", Row(cut, _completed).QuerySelector("[data-testid=run-progress-bar]")!.GetAttribute("data-value"));
        Assert.Equal("21.7", Row(cut, _completed).QuerySelector("[data-testid=run-bleu]")!.TextContent);
        Assert.Equal("–", Row(cut, _running).QuerySelector("[data-testid=run-bleu]")!.TextContent);
        // started 12:01, finished 13:03
        Assert.Equal("1 h 02 min", Row(cut, _completed).QuerySelector("[data-testid=run-duration]")!.TextContent);
        Assert.Equal("text → vlp → slt", Row(cut, _failed).QuerySelector("[data-testid=run-phase]")!.TextContent);
        Assert.Equal($"runs/{_running}", Row(cut, _running).QuerySelector("[data-testid=run-link]")!.GetAttribute("href"));
    }

    [Fact]
    public void FilterByStatus_Running_ShowsOnlyTheRunningRun()
    {
        SaveThreeRuns();
        IRenderedComponent<RunList> cut = RenderList();

        Choose(cut, "status-filter", "running");

        cut.WaitForAssertion(() => Assert.Equal([_running.ToString()], ShownIds(cut)), Wait);
    }

    [Fact]
    public void FilterByPhase_Pipeline_ShowsOnlyThePipelineRun()
    {
        SaveThreeRuns();
        IRenderedComponent<RunList> cut = RenderList();

        Choose(cut, "phase-filter", "text → vlp → slt");

        cut.WaitForAssertion(() => Assert.Equal([_failed.ToString()], ShownIds(cut)), Wait);
    }

    [Fact]
    public void Search_DatasetName_ShowsTheMatchingRunsOnly()
    {
        SaveThreeRuns();
        IRenderedComponent<RunList> cut = RenderList();

        cut.Find("input[data-testid=run-search]").Input("other");

        cut.WaitForAssertion(() => Assert.Equal([_failed.ToString()], ShownIds(cut)), Wait);
    }

    [Fact]
    public void SortByBestBleu_ClickedTwice_OrdersAscendingThenDescending()
    {
        SaveThreeRuns();
        RunEntity better = NewRun(new RunSpec { Name = "delta slt", Phase = TrainingPhaseNames.Slt, Data = DatasetName }, JobStatus.Completed, T0.AddHours(3));
        better.BestBleu4 = 23.5;
        int best = Save(better);
        IRenderedComponent<RunList> cut = RenderList();

        AngleSharp.Dom.IElement Header() => cut.FindAll("th .mud-table-sort-label").Single(h => h.TextContent.Contains("Best BLEU-4"));
        Header().Click();
        cut.WaitForAssertion(() => Assert.Equal([_completed.ToString(), best.ToString()], ShownIds(cut).Skip(2)), Wait);

        Header().Click();
        cut.WaitForAssertion(() => Assert.Equal([best.ToString(), _completed.ToString()], ShownIds(cut).Take(2)), Wait);
    }

    [Fact]
    public async Task LiveUpdates_ProgressOfARunAndANewRun_AppearWithoutReload()
    {
        SaveThreeRuns();
        IRenderedComponent<RunList> cut = RenderList();

        Notifier.Publish(EventUpdate(_running, "vlp", new StepEvent(60, 0, 1.0, new Dictionary<string, double>(), 5, 30)));
        int added = Save(NewRun(new RunSpec { Name = "epsilon", Phase = TrainingPhaseNames.Slt, Data = DatasetName }, JobStatus.Queued, T0.AddHours(5)));
        Notifier.Publish(new RunStateUpdate((await Store.GetAsync(added))!));

        // 60 of 120 steps = 50 %
        cut.WaitForAssertion(() => Assert.Equal("50", Row(cut, _running).QuerySelector("[data-testid=run-progress-bar]")!.GetAttribute("data-value")), Wait);
        Assert.Equal("step 60 / 120 · ETA 30 s", Row(cut, _running).QuerySelector("[data-testid=run-progress-text]")!.TextContent);
        cut.WaitForAssertion(() => Assert.Equal(added.ToString(), ShownIds(cut)[0]), Wait);
        Assert.Equal("queued", Row(cut, added).QuerySelector("[data-testid=run-status]")!.GetAttribute("data-status"));
    }

    [Fact]
    public void Render_NoRuns_InvitesToStartOne()
    {
        _popovers = Render<MudPopoverProvider>();
        IRenderedComponent<RunList> cut = Render<RunList>();

        cut.WaitForAssertion(() => Assert.Contains("No run yet", cut.Find("[data-testid=no-runs]").TextContent), Wait);
    }
}
