using System.Globalization;
using Bunit;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Components.Runs;

namespace PhoenixSlt.Web.Tests.Components;

/// The Home dashboard over the real run store, run notifier and evaluation service (Sqlite).
public sealed class HomePageTests() : RunsTestContext(withEvaluation: true)
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private int SaveRun(string name, JobStatus status, int minutes, long step = 0, long? total = null, IEnumerable<CheckpointEntity>? checkpoints = null)
    {
        var run = NewRun(new RunSpec { Phase = TrainingPhaseNames.Slt, Name = name }, status, T0.AddMinutes(minutes));
        run.ProgressStep = step;
        run.ProgressTotal = total;
        if (status == JobStatus.Running)
            run.StartedAt = T0.AddMinutes(minutes);
        if (status.IsFinal())
            run.FinishedAt = T0.AddMinutes(minutes + 1);
        return Save(run, checkpoints: checkpoints);
    }

    private static IReadOnlyList<(string Id, string Progress)> ActiveRows(IRenderedComponent<Home> cut)
        => [.. cut.FindAll("[data-testid=home-active-run]").Select(r => (r.GetAttribute("data-run-id")!, r.QuerySelector("[data-testid=home-run-progress]")!.TextContent.Trim()))];

    [Fact]
    public void Render_RunsOfEveryState_ListsRunningThenQueuedWithProgressAndNotTheFinishedOnes()
    {
        int done = SaveRun("done", JobStatus.Completed, 0);
        int queued = SaveRun("waiting", JobStatus.Queued, 1);
        int running = SaveRun("busy", JobStatus.Running, 2, step: 12, total: 30);
        SaveRun("broken", JobStatus.Failed, 3);

        var cut = RenderWithPopovers<Home>(_ => { });

        cut.WaitForAssertion(() => Assert.Equal(2, ActiveRows(cut).Count), Wait);
        var rows = ActiveRows(cut);
        // 12 of 30 steps = 40 %.
        Assert.Equal((running.ToString(CultureInfo.InvariantCulture), "step 12 / 30 (40%)"), rows[0]);
        Assert.Equal((queued.ToString(CultureInfo.InvariantCulture), "queued"), rows[1]);
        Assert.DoesNotContain(rows, r => r.Id == done.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void StepEvent_RunningRun_MovesItsProgressLive()
    {
        int running = SaveRun("busy", JobStatus.Running, 0, step: 1, total: 40);
        var cut = RenderWithPopovers<Home>(_ => { });
        cut.WaitForAssertion(() => Assert.Single(ActiveRows(cut)), Wait);

        Notifier.Publish(EventUpdate(running, TrainingPhaseNames.Slt, new StepEvent(30, 0, 1.0, new Dictionary<string, double>(), 5, 40)));

        // 30 of 40 steps = 75 %.
        cut.WaitForAssertion(() => Assert.Equal("step 30 / 40 (75%)", Assert.Single(ActiveRows(cut)).Progress), Wait);
    }

    [Fact]
    public async Task StateUpdate_NewQueuedRun_AppearsWithoutReload()
    {
        var cut = RenderWithPopovers<Home>(_ => { });
        cut.WaitForAssertion(() => Assert.Contains("No run is running or queued", cut.Find("[data-testid=home-active-runs]").TextContent), Wait);

        int added = SaveRun("new", JobStatus.Queued, 5);
        Notifier.Publish(new RunStateUpdate((await Store.GetAsync(added))!));

        cut.WaitForAssertion(() => Assert.Equal(added.ToString(CultureInfo.InvariantCulture), Assert.Single(ActiveRows(cut)).Id), Wait);
    }

    [Fact]
    public void Render_BestCheckpoints_ShowTheirBleu4AndOnlyBestSltFolders()
    {
        SaveRun("trained", JobStatus.Completed, 0, checkpoints:
        [
            new CheckpointEntity { Path = "/runs/out/slt/best", Phase = "slt", Step = 40, IsBest = true, CreatedAt = T0, MetricsJson = "{\"bleu4\":3.25}" },
            new CheckpointEntity { Path = "/runs/out/slt/last", Phase = "slt", Step = 50, IsBest = false, CreatedAt = T0 },
        ]);

        var cut = RenderWithPopovers<Home>(_ => { });

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=home-best-checkpoints] tbody tr")), Wait);
        var cells = cut.FindAll("[data-testid=home-best-checkpoints] tbody td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("40", cells[1]);
        Assert.Equal("3.25", cells[2]);
    }

    [Fact]
    public void Render_QuickActions_LinkToNewRunTranslateAndCompare()
    {
        var cut = RenderWithPopovers<Home>(_ => { });

        Assert.Equal("runs/new", cut.Find("[data-testid=home-new-run]").GetAttribute("href"));
        Assert.Equal("translate", cut.Find("[data-testid=home-translate]").GetAttribute("href"));
        Assert.Equal("checkpoints/compare", cut.Find("[data-testid=home-compare]").GetAttribute("href"));
    }

    [Fact]
    public void ProgressText_PipelineStage_NamesTheStage()
    {
        var run = RunStore.ToInfo(NewRun(new RunSpec { Phase = TrainingPhaseNames.Pipeline }, JobStatus.Running, T0)) with { Stage = "vlp", ProgressStep = 5, ProgressTotal = 20 };

        Assert.Equal("vlp stage · step 5 / 20 (25%)", Home.ProgressText(run));
    }
}
