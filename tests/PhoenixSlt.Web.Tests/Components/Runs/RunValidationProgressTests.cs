using Bunit;
using Microsoft.Extensions.Time.Testing;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

/// A run that validates shows "validating n/N clips" with a bar on Run detail and in the Runs list (stored and live),
/// the ETA of the validation events, and a "running for" that ticks every second without any event (a fake clock).
public sealed class RunValidationProgressTests : RunsTestContext
{
    private static readonly DateTime Created = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly FakeTimeProvider _clock;

    public RunValidationProgressTests()
        : this(new FakeTimeProvider(new DateTimeOffset(Created.AddMinutes(10))))
    {
    }

    private RunValidationProgressTests(FakeTimeProvider clock)
        : base(time: clock)
        => _clock = clock;

    private static readonly RunSpec SltConfig = new()
    {
        Name = "validating slt", Phase = TrainingPhaseNames.Slt, Data = DatasetName, MaxSteps = 30, Epochs = null,
    };

    /// A running slt run at step 14 of 30, started <paramref name="runningFor"/> before the fake clock's now.
    private int SaveRunning(TimeSpan runningFor, int? validationDone = null, int? validationTotal = null, JobStatus status = JobStatus.Running)
    {
        RunEntity run = NewRun(SltConfig, status, Created);
        run.StartedAt = _clock.GetUtcNow().UtcDateTime - runningFor;
        run.ProgressStep = 14;
        run.ProgressTotal = 30;
        run.Epoch = 0;
        run.EtaSeconds = 43;
        run.ValidationDone = validationDone;
        run.ValidationTotal = validationTotal;
        return Save(run);
    }

    private IRenderedComponent<RunDetail> RenderRun(int id)
    {
        IRenderedComponent<RunDetail> cut = RenderWithPopovers<RunDetail>(p => p.Add(c => c.Id, id));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=run-progress]")), Wait);
        return cut;
    }

    private IRenderedComponent<RunList> RenderList()
    {
        Render<MudBlazor.MudPopoverProvider>();
        IRenderedComponent<RunList> cut = Render<RunList>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=runs-table] tbody tr")), Wait);
        return cut;
    }

    [Fact]
    public void RunDetail_StoredValidation_ShowsValidatingWithItsBar()
    {
        int id = SaveRunning(TimeSpan.FromMinutes(4), validationDone: 3, validationTotal: 8);

        IRenderedComponent<RunDetail> cut = RenderRun(id);

        Assert.Equal("validating 3/8 clips", cut.Find("[data-testid=validation-progress-text]").TextContent);
        Assert.Equal("37.5", cut.Find("[data-testid=validation-progress-bar]").GetAttribute("data-value"));   // 3 / 8
        Assert.Contains("step 14 / 30", cut.Find("[data-testid=run-progress-text]").TextContent);
    }

    [Fact]
    public void RunDetail_LiveValidationEvents_ShowTheClipsAndEtaThenTheEvalEndsIt()
    {
        int id = SaveRunning(TimeSpan.FromMinutes(1));
        IRenderedComponent<RunDetail> cut = RenderRun(id);
        Assert.Empty(cut.FindAll("[data-testid=validation-progress]"));

        Notifier.Publish(EventUpdate(id, "slt", new ValidationProgressEvent("slt", 15, 0, 0, 40, 0, 200)));
        Notifier.Publish(EventUpdate(id, "slt", new ValidationProgressEvent("slt", 15, 0, 10, 40, 30, 150)));

        cut.WaitForAssertion(() => Assert.Equal("validating 10/40 clips", cut.Find("[data-testid=validation-progress-text]").TextContent), Wait);
        Assert.Equal("25", cut.Find("[data-testid=validation-progress-bar]").GetAttribute("data-value"));
        string progress = cut.Find("[data-testid=run-progress-text]").TextContent;
        Assert.Contains("step 15 / 30", progress);
        Assert.Contains("ETA 2 min 30 s", progress);                        // the latest event's 150 s

        Notifier.Publish(EventUpdate(id, "slt", new EvalEvent { Step = 15, Metrics = new Dictionary<string, double> { ["bleu4"] = 1 } }));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=validation-progress]")), Wait);
    }

    [Fact]
    public void RunDetail_FinishedRunWithStaleValidationColumns_ShowsNoValidation()
    {
        int id = SaveRunning(TimeSpan.FromMinutes(1), validationDone: 3, validationTotal: 8, status: JobStatus.Failed);

        IRenderedComponent<RunDetail> cut = RenderRun(id);

        Assert.Empty(cut.FindAll("[data-testid=validation-progress]"));
    }

    [Fact]
    public void RunDetail_NoEvents_RunningForTicksWithTheClock()
    {
        int id = SaveRunning(TimeSpan.FromSeconds(30));
        IRenderedComponent<RunDetail> cut = RenderRun(id);
        Assert.Equal("· running for 30 s", Normalized(cut.Find("[data-testid=run-duration]").TextContent));

        _clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("· running for 31 s", Normalized(cut.Find("[data-testid=run-duration]").TextContent)), Wait);

        _clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("· running for 32 s", Normalized(cut.Find("[data-testid=run-duration]").TextContent)), Wait);
    }

    [Fact]
    public async Task RunDetail_Disposed_TheClockNoLongerRendersIt()
    {
        int id = SaveRunning(TimeSpan.FromSeconds(30));
        IRenderedComponent<RunDetail> cut = RenderRun(id);
        int renders = cut.RenderCount;

        await DisposeComponentsAsync();
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(renders, cut.RenderCount);
    }

    [Fact]
    public void RunList_StoredAndLiveValidation_ShowValidatingInTheRow()
    {
        int id = SaveRunning(TimeSpan.FromMinutes(2), validationDone: 2, validationTotal: 8);
        IRenderedComponent<RunList> cut = RenderList();
        Assert.Equal("validating 2/8 clips", cut.Find("[data-testid=validation-progress-text]").TextContent);
        Assert.Equal("25", cut.Find("[data-testid=validation-progress-bar]").GetAttribute("data-value"));

        Notifier.Publish(EventUpdate(id, "slt", new ValidationProgressEvent("slt", 14, 0, 6, 8, 3, 20)));

        cut.WaitForAssertion(() => Assert.Equal("validating 6/8 clips", cut.Find("[data-testid=validation-progress-text]").TextContent), Wait);
        Assert.Equal("75", cut.Find("[data-testid=validation-progress-bar]").GetAttribute("data-value"));
        Assert.Contains("ETA 20 s", cut.Find("[data-testid=run-progress-text]").TextContent);

        Notifier.Publish(EventUpdate(id, "slt", new StepEvent(15, 0, 2.0, new Dictionary<string, double>(), 10, 40)));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=validation-progress]")), Wait);
    }

    private static string Normalized(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
