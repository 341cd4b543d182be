using System.Globalization;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

public sealed class NewRunPageTests : RunsTestContext
{
    private IRenderedComponent<MudBlazor.MudPopoverProvider>? _popovers;

    private IRenderedComponent<NewRun> RenderForm()
    {
        _popovers = Render<MudBlazor.MudPopoverProvider>();
        IRenderedComponent<NewRun> cut = Render<NewRun>();
        cut.WaitForAssertion(() => Assert.Equal(DatasetName, Shown(cut, "data")), Wait);
        return cut;
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<NewRun> cut, string field)
        => cut.Find($"input[data-testid={field}]");

    /// The text a select shows (MudSelect marks its combobox, not an input, with the test id).
    private static string Shown(IRenderedComponent<NewRun> cut, string field)
        => cut.Find($"[data-testid={field}][role=combobox]").TextContent.Trim();

    /// The error text MudBlazor shows under a field (empty when the field is valid).
    private static string ErrorOf(IRenderedComponent<NewRun> cut, string field)
        => Input(cut, field).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() ?? "";

    /// The message of the spec's one validation for <paramref name="field"/> (its own values only).
    private static string ValidatorMessage(RunSpec spec, string field)
        => spec.Validate(SpecContext.ValuesOnly).FirstFor(field)
           ?? throw new InvalidOperationException($"the validation accepts {field}: the test would prove nothing");

    /// The field whose input has <paramref name="testId"/> (its flag without the dashes).
    private static SpecField FieldOf(string testId) => RunSpecFields.All.Single(f => f.Flag == "--" + testId);

    private IReadOnlyList<RunInfo> StoredRuns() => Store.ListAsync().GetAwaiter().GetResult();

    private RunSpec ConfigOf(int runId) => Store.GetDetailsAsync(runId).GetAwaiter().GetResult()!.Config;

    [Fact]
    public void Render_FreshForm_ShowsTheCpuDefaultsOfRunSpecDefaults()
    {
        var defaults = RunSpecDefaults.For("cpu");

        IRenderedComponent<NewRun> cut = RenderForm();

        // on the CPU: a few epochs and greedy validation instead of RunSpec's 30 epochs with 5 beams
        Assert.Equal((1, 2), (defaults.Beams, defaults.Epochs));
        Assert.Equal("2", Input(cut, "epochs").GetAttribute("value"));
        Assert.Contains(RunSpec.DefaultEpochs.ToString(CultureInfo.InvariantCulture), Input(cut, "epochs").GetAttribute("placeholder"));
        Assert.Equal(defaults.BatchSize.ToString(CultureInfo.InvariantCulture), Input(cut, "batch-size").GetAttribute("value"));
        Assert.Equal(defaults.Beams.ToString(CultureInfo.InvariantCulture), Input(cut, "beams").GetAttribute("value"));
        Assert.Equal(defaults.Seed.ToString(CultureInfo.InvariantCulture), Input(cut, "seed").GetAttribute("value"));
        Assert.Equal(defaults.LogEvery.ToString(CultureInfo.InvariantCulture), Input(cut, "log-every").GetAttribute("value"));
        Assert.Equal("1", Input(cut, "world-size").GetAttribute("value"));
        Assert.Equal("", Input(cut, "max-steps").GetAttribute("value") ?? "");
        Assert.Equal("cpu", Shown(cut, "device"));
        Assert.Equal("none", Shown(cut, "amp"));
        Assert.Equal("tiny", Shown(cut, "preset"));
        Assert.Empty(cut.FindAll(".mud-input-helper-text.mud-input-error"));
    }

    [Theory]
    [InlineData("batch-size", "0")]
    [InlineData("batch-size", "5000")]
    [InlineData("accumulate", "0")]
    [InlineData("beams", "0")]
    [InlineData("world-size", "0")]
    [InlineData("epochs", "-1")]
    [InlineData("patience", "-1")]
    [InlineData("max-frames", "0")]
    [InlineData("loader-workers", "-2")]
    [InlineData("eval-every", "0")]
    public void ChangeNumber_OutOfRange_ShowsTheValidatorsMessage(string testId, string value)
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        SpecField field = FieldOf(testId);
        var spec = new RunSpec();
        Assert.True(field.TryParse(value, out object? parsed, out _));
        field.Set(spec, parsed);
        string expected = ValidatorMessage(spec, field.Name);

        Input(cut, testId).Change(value);

        cut.WaitForAssertion(() => Assert.Equal(expected, ErrorOf(cut, testId)), Wait);
    }

    [Fact]
    public void ChangeBatchSize_Zero_SaysTheAllowedRange()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Input(cut, "batch-size").Change("0");

        // batch_size is declared with Min = 1, Max = 4096
        cut.WaitForAssertion(() => Assert.Equal("batch_size 0 is out of range; allowed: a whole number from 1 to 4096.", ErrorOf(cut, "batch-size")), Wait);
    }

    [Fact]
    public void ChangeNumber_NotANumber_ShowsTheFieldsParseMessageAndKeepsTheText()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        Assert.False(RunSpecFields.Get("batch_size").TryParse("abc", out _, out string? expected));

        Input(cut, "batch-size").Change("abc");

        cut.WaitForAssertion(() => Assert.Equal(expected, ErrorOf(cut, "batch-size")), Wait);
        Assert.Equal("abc", Input(cut, "batch-size").GetAttribute("value"));
        cut.Find("[data-testid=submit]").Click();
        cut.WaitForAssertion(() => Assert.Equal(expected, ErrorOf(cut, "batch-size")), Wait);
        Assert.Empty(StoredRuns());
    }

    [Fact]
    public void ChangeLearningRate_AboveOne_ShowsTheValidatorsMessageAndAcceptsScientificNotation()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Input(cut, "lr-encoder").Change("2");
        cut.WaitForAssertion(() => Assert.Equal(ValidatorMessage(new RunSpec { LrEncoder = 2 }, "lr_encoder"), ErrorOf(cut, "lr-encoder")), Wait);

        Input(cut, "lr-encoder").Change("3e-4");
        cut.WaitForAssertion(() => Assert.Equal("", ErrorOf(cut, "lr-encoder")), Wait);
    }

    [Fact]
    public void Submit_NoEpochsNoMaxSteps_StartsARunOfTheDefaultEpochs()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Input(cut, "max-steps").Change("");
        Input(cut, "epochs").Change("");
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Single(StoredRuns()), Wait);
        Assert.Equal("", ErrorOf(cut, "epochs"));
        RunSpec config = ConfigOf(StoredRuns()[0].Id);
        Assert.Equal(((int?)null, (long?)null), (config.Epochs, config.MaxSteps));
        Assert.Equal(RunSpec.DefaultEpochs, config.EffectiveEpochs);
        Assert.Equal(30, RunSpec.DefaultEpochs);
    }

    [Fact]
    public void Submit_InitCheckpointThatDoesNotExist_ShowsTheValidatorsMessage()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        string missing = Path.Combine(Root, "no-such-checkpoint");
        // the portal's folder rules: absolute paths, checked against the file system
        string expected = new RunSpec { Init = missing }.Validate(SpecContext.CommandLine with { AbsolutePathsOnly = true }).FirstFor("init")!;
        Assert.Contains("folder not found", expected);

        Input(cut, "init").Input(missing);
        Input(cut, "init").Blur();
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Equal(expected, ErrorOf(cut, "init")), Wait);
        Assert.Empty(StoredRuns());
    }

    [Fact]
    public void Submit_ValidSettings_CreatesAQueuedRunWithThemAndOpensIt()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        var navigation = Services.GetRequiredService<NavigationManager>();

        Input(cut, "name").Change("my first run");
        Input(cut, "epochs").Change("");
        Input(cut, "max-steps").Change("12");
        Input(cut, "batch-size").Change("2");
        Input(cut, "lr-encoder").Change("3e-4");
        Input(cut, "eval-every").Change("6");
        Input(cut, "beams").Change("1");
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Single(StoredRuns()), Wait);
        RunInfo run = StoredRuns()[0];
        Assert.Equal("my first run", run.Name);
        Assert.Equal(JobStatus.Queued, run.Status);
        Assert.Equal(DatasetName, run.Dataset);
        RunSpec config = ConfigOf(run.Id);
        Assert.Equal(TrainingPhaseNames.Slt, config.Phase);
        Assert.Null(config.Epochs);
        Assert.Equal(12, config.MaxSteps);
        Assert.Equal(2, config.BatchSize);
        Assert.Equal(3e-4, config.LrEncoder);
        Assert.Equal(6, config.EvalEvery);
        Assert.Equal(1, config.Beams);
        // stored resolved: the dataset's folder and the run's own out folder
        Assert.Equal(Path.Combine(DataRoot, DatasetName), config.Data);
        Assert.Equal(Path.Combine(run.OutputFolder, TrainingPhaseNames.Slt), config.Out);
        cut.WaitForAssertion(() => Assert.EndsWith($"/runs/{run.Id}", navigation.Uri), Wait);
    }

    [Fact]
    public void Submit_AugmentSwitchOnAndOneTechniqueOff_StoresThem()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        Assert.NotEmpty(cut.FindAll("[data-testid=section-augmentation] input[data-testid=aug-rotation]"));
        var toggle = cut.Find("[data-testid=augment]");
        var checkbox = toggle.TagName == "INPUT" ? toggle : toggle.QuerySelector("input[type=checkbox]")!;
        Assert.False(checkbox.HasAttribute("checked") && checkbox.GetAttribute("checked") != "false");

        checkbox.Change(true);
        Input(cut, "aug-rotation").Change("0");
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Single(StoredRuns()), Wait);
        RunSpec config = ConfigOf(StoredRuns()[0].Id);
        Assert.True(config.Augment);
        Assert.Equal(0, config.AugRotation);
        Assert.Equal(new RunSpec().AugSpeed, config.AugSpeed);
    }

    [Fact]
    public void QuickDemo_ThenSubmit_CreatesAShortRun()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        cut.Find("[data-testid=quick-demo]").Click();
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Single(StoredRuns()), Wait);
        RunSpec config = ConfigOf(StoredRuns()[0].Id);
        Assert.Null(config.Epochs);
        Assert.NotNull(config.MaxSteps);
        Assert.Equal("tiny", config.Preset);
        Assert.Equal(1, config.Beams);
    }

    [Fact]
    public void SelectPhase_Pipeline_DisablesTheInitCheckpoint()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        Assert.False(Input(cut, "init").HasAttribute("disabled"));

        cut.Find("[data-testid=phase]").Closest(".mud-input-control")!.MouseDown();
        var popovers = _popovers!;
        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll(".mud-list-item")), Wait);
        popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Contains("full pipeline")).Click();

        cut.WaitForAssertion(() => Assert.True(Input(cut, "init").HasAttribute("disabled")), Wait);
    }

    [Fact]
    public async Task InitChoices_StoredCheckpoints_OfferedByPhase()
    {
        using (var db = Contexts.CreateDbContext())
        {
            db.Checkpoints.AddRange(
                new CheckpointEntity { Path = "/ck/vlp/best", Phase = "vlp", IsBest = true, Step = 10, CreatedAt = DateTime.UtcNow },
                new CheckpointEntity { Path = "/ck/text/best", Phase = "text", IsBest = true, Step = 10, CreatedAt = DateTime.UtcNow });
            db.SaveChanges();
        }
        var checkpoints = await Store.ListCheckpointsAsync();

        Assert.Equal(["/ck/vlp/best"], CheckpointChoices.InitChoices(checkpoints, TrainingPhaseNames.Slt).Select(c => c.Path));
        Assert.Equal(["/ck/text/best"], CheckpointChoices.InitChoices(checkpoints, TrainingPhaseNames.Text).Select(c => c.Path));
        Assert.Equal(["/ck/text/best", "/ck/vlp/best"], CheckpointChoices.InitChoices(checkpoints, TrainingPhaseNames.Vlp).Select(c => c.Path).Order());
        Assert.Empty(CheckpointChoices.InitChoices(checkpoints, TrainingPhaseNames.Pipeline));
        Assert.Equal(["/hf/mbart", "/ck/text/best"], CheckpointChoices.MBartChoices(checkpoints, ["/hf/mbart"]).Select(c => c.Path));
    }

    [Fact]
    public void FindMBartFolders_CheckpointRoot_FindsFoldersWithConfigAndSentencePieceModel()
    {
        string root = Path.Combine(Root, "checkpoints");
        string hf = Directory.CreateDirectory(Path.Combine(root, "mbart", "cc25-trimmed")).FullName;
        File.WriteAllText(Path.Combine(hf, "config.json"), "{}");
        File.WriteAllText(Path.Combine(hf, "sentencepiece.bpe.model"), "");
        string incomplete = Directory.CreateDirectory(Path.Combine(root, "half")).FullName;
        File.WriteAllText(Path.Combine(incomplete, "config.json"), "{}");

        Assert.Equal([hf], CheckpointChoices.FindMBartFolders(root));
    }

    /// The estimate text the page should show for <paramref name="spec"/> on the handmade dataset (3 training clips,
    /// 1 dev clip) at <paramref name="speed"/>.
    private static string ExpectedEstimate(RunSpec spec, PresetSpeed speed)
        => "~" + RunEstimate.Format(RunEstimate.Of(spec with { Data = DatasetName }, trainClips: 3, validationClips: 1, speed)!.Total);

    [Fact]
    public void Render_NoPastRuns_EstimateOfTheDefaultsAtThePresetsFallbackSpeed()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        string expected = ExpectedEstimate(RunSpecDefaults.For("cpu"), PresetSpeed.Fallback("tiny", "cpu"));
        cut.WaitForAssertion(() => Assert.Equal($"Estimated time: {expected}", cut.Find("[data-testid=estimate]").TextContent.Trim()), Wait);
        Assert.Contains("typical speed of the preset", cut.Find("[data-testid=estimate-detail]").TextContent);
        Assert.Contains("slt: 2 steps", cut.Find("[data-testid=estimate-detail]").TextContent);   // ⌈3 / 8⌉ = 1 step per epoch, 2 epochs
    }

    [Fact]
    public void Render_PastCompletedRunOfThePreset_EstimateAtItsMeasuredSpeed()
    {
        // a finished tiny run on the CPU that trained 0.5 samples/s: far slower than the fallback, so the estimate differs
        RunEntity past = NewRun(new RunSpec { Preset = "tiny", Device = "cpu" }, JobStatus.Completed, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        past.SamplesPerSecond = 0.5;
        past.FinishedAt = new DateTime(2026, 1, 1, 1, 0, 0, DateTimeKind.Utc);
        Save(past);
        var measured = PresetSpeed.FromHistory([0.5], "tiny", "cpu");
        string expected = ExpectedEstimate(RunSpecDefaults.For("cpu"), measured);
        Assert.NotEqual(ExpectedEstimate(RunSpecDefaults.For("cpu"), PresetSpeed.Fallback("tiny", "cpu")), expected);

        IRenderedComponent<NewRun> cut = RenderForm();

        cut.WaitForAssertion(() => Assert.Equal($"Estimated time: {expected}", cut.Find("[data-testid=estimate]").TextContent.Trim()), Wait);
        Assert.Contains("measured on 1 finished run on this device", cut.Find("[data-testid=estimate-detail]").TextContent);
    }

    [Fact]
    public void ChangeEpochs_EstimateFollowsTheForm()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        var spec = RunSpecDefaults.For("cpu");
        spec.Epochs = 400;
        string expected = ExpectedEstimate(spec, PresetSpeed.Fallback("tiny", "cpu"));

        Input(cut, "epochs").Change("400");

        cut.WaitForAssertion(() => Assert.Equal($"Estimated time: {expected}", cut.Find("[data-testid=estimate]").TextContent.Trim()), Wait);
        Assert.Contains("slt: 400 steps", cut.Find("[data-testid=estimate-detail]").TextContent);
    }

    [Fact]
    public void Render_QuickDemo_IsAPrimaryButtonAtTheTopWithItsEstimate()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        var button = cut.Find("[data-testid=quick-demo]");
        Assert.Contains("mud-button-filled-primary", button.ClassList);
        // before the form: the panel comes first in the document
        Assert.True(cut.Markup.IndexOf("data-testid=\"quick-demo-panel\"", StringComparison.Ordinal) < cut.Markup.IndexOf("data-testid=\"new-run-form\"", StringComparison.Ordinal));
        string expected = ExpectedEstimate(PhoenixSlt.Web.Components.Pages.Runs.NewRun.QuickDemo(RunSpecDefaults.For("cpu")), PresetSpeed.Fallback("tiny", "cpu"));
        cut.WaitForAssertion(() => Assert.Equal(expected, cut.Find("[data-testid=quick-demo-estimate]").TextContent.Trim()), Wait);
    }
}
