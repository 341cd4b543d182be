using System.Text.Json;
using Bunit;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

public sealed class RunDetailPageTests : RunsTestContext
{
    private static readonly DateTime Created = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly RunSpec SltConfig = new()
    {
        Name = "tiny slt",
        Phase = TrainingPhaseNames.Slt,
        Data = DatasetName,
        BatchSize = 4,
        LrEncoder = 3e-4,
        MaxSteps = 80,
        Epochs = null,
    };

    /// A running slt run: 20 of 80 steps done at 12.5 samples/s with 125 s to go; two logged steps, one validation
    /// (val loss, BLEU-4, a translation), three log lines and the best/ checkpoint of that validation.
    private int SaveRunningSltRun()
    {
        RunEntity run = NewRun(SltConfig, JobStatus.Running, Created);
        run.StartedAt = Created.AddSeconds(5);
        run.ProgressStep = 20;
        run.ProgressTotal = 80;
        run.Epoch = 0;
        run.SamplesPerSecond = 12.5;
        run.EtaSeconds = 125;
        run.Attempts = 1;
        run.LatestSamplesJson = JsonSerializer.Serialize(
            new[] { new TranslationSample("dv1", "morgen regnet es", "morgen regen es") }, RunStore.Json);
        return Save(run,
            metrics:
            [
                Point("slt", 10, "loss", 3.5), Point("slt", 10, "lr_encoder", 1e-4), Point("slt", 10, "lr_decoder", 5e-5),
                Point("slt", 20, "loss", 3.0), Point("slt", 20, "lr_encoder", 2e-4), Point("slt", 20, "lr_decoder", 1e-4),
                Point("slt", 20, "val_loss", 3.25), Point("slt", 20, "bleu4", 1.5),
            ],
            log:
            [
                new RunLogLine { Time = Created, Level = "info", Text = "starting phoenix-slt train slt" },
                new RunLogLine { Time = Created.AddSeconds(1), Level = "warning", Text = "no CUDA device, training on the CPU" },
                new RunLogLine { Time = Created.AddSeconds(2), Level = "info", Text = "epoch 1 of 1" },
            ],
            checkpoints:
            [
                new CheckpointEntity
                {
                    Path = "/runs/out/slt/best", Phase = "slt", Step = 20, IsBest = true, CreatedAt = Created.AddSeconds(30),
                    MetricsJson = """{"bleu4":1.5,"val_loss":3.25}""", SizeBytes = 3 * 1024 * 1024,
                },
            ]);
    }

    private IRenderedComponent<RunDetail> RenderRun(int id)
    {
        IRenderedComponent<RunDetail> cut = RenderWithPopovers<RunDetail>(p => p.Add(c => c.Id, id));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=run-progress]")), Wait);
        return cut;
    }

    [Fact]
    public void Render_StoredRunningSltRun_ShowsCurvesProgressSamplesLogCheckpointsAndSettings()
    {
        int id = SaveRunningSltRun();

        IRenderedComponent<RunDetail> cut = RenderRun(id);

        Assert.Equal("tiny slt", cut.Find("[data-testid=run-name]").TextContent);
        Assert.Equal("running", cut.Find("[data-testid=run-status]").GetAttribute("data-status"));
        // 20 / 80 = 25 %; 125 s = 2 min 05 s
        string progress = cut.Find("[data-testid=run-progress-text]").TextContent;
        Assert.Contains("step 20 / 80 (25%)", progress);
        Assert.Contains("12.5 samples/s", progress);
        Assert.Contains("ETA 2 min 05 s", progress);

        Assert.Equal("2", cut.Find("[data-testid=loss-chart] .legend-item[data-series='train loss']").GetAttribute("data-points"));
        Assert.Equal("1", cut.Find("[data-testid=loss-chart] .legend-item[data-series='val loss']").GetAttribute("data-points"));
        Assert.Equal("3 @ 20", cut.Find("[data-testid='loss-chart-latest-train loss']").TextContent);
        Assert.Equal(["decoder", "encoder"], cut.FindAll("[data-testid=lr-chart] .legend-item").Select(p => p.GetAttribute("data-series")));
        Assert.Equal("2E-04 @ 20", cut.Find("[data-testid=lr-chart-latest-encoder]").TextContent);
        Assert.Equal("1.5 @ 20", cut.Find("[data-testid=bleu-chart-latest-BLEU-4]").TextContent);

        Assert.Equal("morgen regnet es", cut.Find("[data-testid=sample-reference]").TextContent);
        Assert.Equal("morgen regen es", cut.Find("[data-testid=sample-hypothesis]").TextContent);

        var log = cut.FindAll("[data-testid=log-line]").Select(l => l.TextContent).ToList();
        Assert.Equal(3, log.Count);
        Assert.Contains(log, l => l.Contains("no CUDA device, training on the CPU"));
        Assert.Contains(cut.FindAll("[data-testid=log-line]"), l => l.ClassList.Contains("warning"));

        var checkpoint = cut.Find("[data-testid=checkpoint-row]");
        Assert.Contains("/runs/out/slt/best", checkpoint.TextContent);
        Assert.Contains("best", checkpoint.TextContent);
        Assert.Contains("bleu4 1.5, val_loss 3.25", checkpoint.TextContent);
        Assert.Contains("3.0 MiB", checkpoint.TextContent);

        Assert.Equal("4", cut.Find("[data-testid=config-batch-size]").TextContent);
        Assert.Equal("0.0003", cut.Find("[data-testid=config-lr-encoder]").TextContent);
        Assert.Equal("80", cut.Find("[data-testid=config-max-steps]").TextContent);
        // epochs is empty: the row says what empty means (as the field table documents it), not a number
        Assert.Equal($"empty: {RunSpecFields.Get("epochs").EmptyMeans}", cut.Find("[data-testid=config-epochs]").TextContent);
        Assert.Equal($"api/runs/{id}/metrics?format=csv", cut.Find("[data-testid=export-csv]").GetAttribute("href"));
        Assert.Equal($"api/runs/{id}/metrics?format=json", cut.Find("[data-testid=export-json]").GetAttribute("href"));
    }

    [Fact]
    public void LiveSystemSamples_FillTheCpuAndMemoryCharts()
    {
        int id = SaveRunningSltRun();
        IRenderedComponent<RunDetail> cut = RenderRun(id);

        Notifier.Publish(new RunSystemUpdate(id, "slt", 30, Created.AddSeconds(10), new Dictionary<string, double> { [SystemMetricNames.RssMiB] = 512 }));
        Notifier.Publish(new RunSystemUpdate(id, "slt", 31, Created.AddSeconds(70),
            new Dictionary<string, double> { [SystemMetricNames.RssMiB] = 600, [SystemMetricNames.CpuPercent] = 195 }));

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=memory-chart] .legend-item[data-series='resident MiB']").GetAttribute("data-points")), Wait);
        Assert.Equal("1", cut.Find("[data-testid=cpu-chart] .legend-item[data-series='CPU %']").GetAttribute("data-points"));
        // x = minutes since the first sample: the second sample is 1 minute later
        Assert.Equal("600 @ 1", cut.Find("[data-testid='memory-chart-latest-resident MiB']").TextContent);
    }

    [Fact]
    public void LiveEvents_StepEvalCheckpointAndLog_UpdateChartsProgressSamplesAndLists()
    {
        int id = SaveRunningSltRun();
        IRenderedComponent<RunDetail> cut = RenderRun(id);

        Notifier.Publish(EventUpdate(id, "slt", new StepEvent(30, 0, 2.5,
            new Dictionary<string, double> { ["encoder"] = 3e-4, ["decoder"] = 1.5e-4 }, 20, 50)));
        Notifier.Publish(new RunLogUpdate(id, new RunLogEntry(1000, Created.AddSeconds(40), "info", "step 30 done")));

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("[data-testid=loss-chart] .legend-item[data-series='train loss']").GetAttribute("data-points")), Wait);
        Assert.Equal("2.5 @ 30", cut.Find("[data-testid='loss-chart-latest-train loss']").TextContent);
        Assert.Equal("3E-04 @ 30", cut.Find("[data-testid=lr-chart-latest-encoder]").TextContent);
        // 30 / 80 = 37.5 %
        string progress = cut.Find("[data-testid=run-progress-text]").TextContent;
        Assert.Contains("step 30 / 80 (37.5%)", progress);
        Assert.Contains("20 samples/s", progress);
        Assert.Contains("ETA 50 s", progress);
        Assert.Equal("37.5", cut.Find("[data-testid=run-progress-bar]").GetAttribute("data-value"));
        Assert.Contains(cut.FindAll("[data-testid=log-line]"), l => l.TextContent.Contains("step 30 done"));

        // A validation with a new translation, then its checkpoint (stored first, as the supervisor does).
        Save(NewRun(SltConfig, JobStatus.Completed, Created)); // an unrelated run must not appear in this run's lists
        using (var db = Contexts.CreateDbContext())
        {
            db.Checkpoints.Add(new CheckpointEntity
            {
                RunId = id, Path = "/runs/out/slt/last", Phase = "slt", Step = 40, CreatedAt = Created.AddSeconds(60), MetricsJson = """{"bleu4":2.25}""",
            });
            db.SaveChanges();
        }
        Notifier.Publish(EventUpdate(id, "slt", new EvalEvent
        {
            Step = 40,
            ValLoss = 2.75,
            Bleu4 = 2.25,
            Metrics = new Dictionary<string, double> { ["val_loss"] = 2.75, ["bleu4"] = 2.25 },
            Samples = [new TranslationSample("dv1", "morgen regnet es", "morgen regnet es")],
        }));
        Notifier.Publish(EventUpdate(id, "slt", new CheckpointEvent("/runs/out/slt/last", new Dictionary<string, double> { ["bleu4"] = 2.25 }, false)));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=checkpoint-row]").Count), Wait);
        Assert.Equal("2.25 @ 40", cut.Find("[data-testid=bleu-chart-latest-BLEU-4]").TextContent);
        Assert.Equal("2", cut.Find("[data-testid=loss-chart] .legend-item[data-series='val loss']").GetAttribute("data-points"));
        Assert.Equal("morgen regnet es", cut.Find("[data-testid=sample-hypothesis]").TextContent);
        Assert.Contains("/runs/out/slt/last", cut.Find("[data-testid=checkpoints-table]").TextContent);
    }

    [Fact]
    public void LiveEvents_BurstOfTwoHundredSteps_AllDrawn()
    {
        int id = SaveRunningSltRun();
        IRenderedComponent<RunDetail> cut = RenderRun(id);

        for (int step = 21; step <= 220; step++)
            Notifier.Publish(EventUpdate(id, "slt", new StepEvent(step, 0, 3.0 - step / 1000.0,
                new Dictionary<string, double> { ["encoder"] = 1e-4 }, 10, null)));

        // 2 stored points + 200 live ones
        cut.WaitForAssertion(() => Assert.Equal("202", cut.Find("[data-testid=loss-chart] .legend-item[data-series='train loss']").GetAttribute("data-points")), Wait);
        Assert.Equal("2.78 @ 220", cut.Find("[data-testid='loss-chart-latest-train loss']").TextContent);
    }

    [Fact]
    public void LiveEvents_OfAnotherRun_AreIgnored()
    {
        int id = SaveRunningSltRun();
        int other = Save(NewRun(SltConfig, JobStatus.Running, Created));
        IRenderedComponent<RunDetail> cut = RenderRun(id);

        Notifier.Publish(EventUpdate(other, "slt", new StepEvent(30, 0, 0.5, new Dictionary<string, double>(), 1, 1)));
        Notifier.Publish(EventUpdate(id, "slt", new StepEvent(40, 0, 2.0, new Dictionary<string, double>(), 1, 1)));

        cut.WaitForAssertion(() => Assert.Equal("2 @ 40", cut.Find("[data-testid='loss-chart-latest-train loss']").TextContent), Wait);
        Assert.Equal("3", cut.Find("[data-testid=loss-chart] .legend-item[data-series='train loss']").GetAttribute("data-points"));
    }

    [Fact]
    public async Task Cancel_QueuedRun_BecomesCancelledAndResumeIsOffered()
    {
        int id = Save(NewRun(SltConfig, JobStatus.Queued, Created));
        IRenderedComponent<RunDetail> cut = RenderRun(id);
        Assert.Contains("queued: waiting for a free slot on cpu", cut.Find("[data-testid=run-progress-text]").TextContent);
        Assert.True(cut.Find("[data-testid=resume-button]").HasAttribute("disabled"));

        cut.Find("[data-testid=cancel-button]").Click();

        cut.WaitForAssertion(() => Assert.Equal("cancelled", cut.Find("[data-testid=run-status]").GetAttribute("data-status")), Wait);
        Assert.Equal(JobStatus.Cancelled, (await Store.GetAsync(id))!.Status);
        Assert.False(cut.Find("[data-testid=resume-button]").HasAttribute("disabled"));
        Assert.True(cut.Find("[data-testid=cancel-button]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task CancelAndResume_ViewerRole_AreDisabledAndTheRunIsUntouched()
    {
        Auth.SetRoles(PortalRoles.Viewer);
        int id = Save(NewRun(SltConfig, JobStatus.Queued, Created));
        IRenderedComponent<RunDetail> cut = RenderRun(id);

        var cancel = cut.Find("[data-testid=cancel-button]");
        Assert.True(cancel.HasAttribute("disabled"));
        Assert.Equal(PortalAccess.OperatorHint, cancel.GetAttribute("title"));
        Assert.True(cut.Find("[data-testid=resume-button]").HasAttribute("disabled"));
        Assert.Equal(JobStatus.Queued, (await Store.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task Resume_InterruptedRun_IsQueuedAgain()
    {
        RunEntity run = NewRun(SltConfig, JobStatus.Interrupted, Created);
        run.Error = "The portal stopped while the run was working.";
        int id = Save(run);
        IRenderedComponent<RunDetail> cut = RenderRun(id);
        Assert.Contains("Press Resume", cut.Find("[data-testid=run-error]").TextContent);

        cut.Find("[data-testid=resume-button]").Click();

        cut.WaitForAssertion(() => Assert.Equal("queued", cut.Find("[data-testid=run-status]").GetAttribute("data-status")), Wait);
        Assert.Equal(JobStatus.Queued, (await Store.GetAsync(id))!.Status);
    }

    [Fact]
    public void Render_PipelineRun_OffersOneChartSetPerStage()
    {
        RunEntity run = NewRun(SltConfig with { Phase = TrainingPhaseNames.Pipeline, Name = "pipe" }, JobStatus.Running, Created);
        run.Stage = TrainingPhaseNames.Vlp;
        int id = Save(run, metrics:
        [
            Point("text", 10, "loss", 6.0), Point("text", 20, "loss", 5.0), Point("text", 20, "val_loss", 5.5),
            Point("vlp", 10, "loss", 2.0), Point("vlp", 10, "v2t_top1", 25), Point("vlp", 10, "t2v_top1", 50),
        ]);

        IRenderedComponent<RunDetail> cut = RenderRun(id);

        // the current stage (vlp) is shown first, with its retrieval accuracy instead of BLEU
        Assert.Equal("1", cut.Find("[data-testid=loss-chart] .legend-item[data-series='train loss']").GetAttribute("data-points"));
        Assert.Equal("25 @ 10", cut.Find("[data-testid=retrieval-chart-latest-v2t_top1]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=bleu-chart]"));
        Assert.Contains("Stage 2 of 3 (vlp)", cut.Find("[data-testid=run-progress]").TextContent);

        cut.FindAll("[data-testid=stage-toggle] .mud-toggle-item").Single(b => b.TextContent.Trim() == "text").Click();

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=loss-chart] .legend-item[data-series='train loss']").GetAttribute("data-points")), Wait);
        Assert.Equal("5.5 @ 20", cut.Find("[data-testid='loss-chart-latest-val loss']").TextContent);
    }

    [Fact]
    public void Render_UnknownRun_SaysItDoesNotExist()
    {
        IRenderedComponent<RunDetail> cut = RenderWithPopovers<RunDetail>(p => p.Add(c => c.Id, 4242));

        cut.WaitForAssertion(() => Assert.Contains("Run 4242 does not exist", cut.Find("[data-testid=run-not-found]").TextContent), Wait);
    }
}
