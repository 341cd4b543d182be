using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
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
        cut.WaitForAssertion(() => Assert.Equal(DatasetName, Input(cut, "dataset").GetAttribute("value")), Wait);
        return cut;
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<NewRun> cut, string field)
        => cut.Find($"input[data-testid={field}]");

    /// The error text MudBlazor shows under a field (empty when the field is valid).
    private static string ErrorOf(IRenderedComponent<NewRun> cut, string field)
        => Input(cut, field).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() ?? "";

    private static string ValidatorMessage(RunRequest request, string field)
        => RunRequestValidator.Validate(request, RunValidationContext.ValuesOnly).FirstFor(field)
           ?? throw new InvalidOperationException($"the validator accepts {field}: the test would prove nothing");

    private IReadOnlyList<RunInfo> StoredRuns() => Store.ListAsync().GetAwaiter().GetResult();

    private RunRequest ConfigOf(int runId) => Store.GetDetailsAsync(runId).GetAwaiter().GetResult()!.Config;

    [Fact]
    public void Render_FreshForm_ShowsTheDefaultsOfRunRequest()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Assert.Equal(RunRequest.DefaultEpochs.ToString(), Input(cut, "epochs").GetAttribute("value"));
        Assert.Equal(RunRequest.DefaultBatchSize.ToString(), Input(cut, "batch-size").GetAttribute("value"));
        Assert.Equal(RunRequest.DefaultBeams.ToString(), Input(cut, "beams").GetAttribute("value"));
        Assert.Equal(RunRequest.DefaultSeed.ToString(), Input(cut, "seed").GetAttribute("value"));
        Assert.Equal(RunRequest.DefaultLogEvery.ToString(), Input(cut, "log-every").GetAttribute("value"));
        Assert.Equal("1", Input(cut, "world-size").GetAttribute("value"));
        Assert.Equal("", Input(cut, "max-steps").GetAttribute("value") ?? "");
        Assert.Equal("cpu", Input(cut, "device").GetAttribute("value"));
        Assert.Equal("none", Input(cut, "amp").GetAttribute("value"));
        Assert.Equal("tiny", Input(cut, "preset").GetAttribute("value"));
    }

    [Theory]
    [InlineData("batch-size", nameof(RunRequest.BatchSize), "0")]
    [InlineData("batch-size", nameof(RunRequest.BatchSize), "5000")]
    [InlineData("accumulate", nameof(RunRequest.Accumulate), "0")]
    [InlineData("beams", nameof(RunRequest.Beams), "0")]
    [InlineData("world-size", nameof(RunRequest.WorldSize), "0")]
    [InlineData("epochs", nameof(RunRequest.Epochs), "-1")]
    [InlineData("patience", nameof(RunRequest.Patience), "0")]
    [InlineData("max-frames", nameof(RunRequest.MaxFrames), "0")]
    [InlineData("loader-workers", nameof(RunRequest.LoaderWorkers), "-2")]
    [InlineData("eval-every", nameof(RunRequest.EvalEvery), "0")]
    public void ChangeNumber_OutOfRange_ShowsTheValidatorsMessage(string testId, string field, string value)
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        var request = new RunRequest();
        typeof(RunRequest).GetProperty(field)!.SetValue(request,
            Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(RunRequest).GetProperty(field)!.PropertyType)
                                      ?? typeof(RunRequest).GetProperty(field)!.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
        string expected = ValidatorMessage(request, field);

        Input(cut, testId).Change(value);

        cut.WaitForAssertion(() => Assert.Equal(expected, ErrorOf(cut, testId)), Wait);
    }

    [Fact]
    public void ChangeBatchSize_Zero_SaysTheAllowedRange()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Input(cut, "batch-size").Change("0");

        cut.WaitForAssertion(() => Assert.Equal("Batch size must be between 1 and 4096 (got 0).", ErrorOf(cut, "batch-size")), Wait);
    }

    [Fact]
    public void ChangeLearningRate_AboveOne_ShowsTheValidatorsMessageAndAcceptsScientificNotation()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        Input(cut, "lr-encoder").Change("2");
        cut.WaitForAssertion(() => Assert.Equal(ValidatorMessage(new RunRequest { LrEncoder = 2 }, nameof(RunRequest.LrEncoder)), ErrorOf(cut, "lr-encoder")), Wait);

        Input(cut, "lr-encoder").Change("3e-4");
        cut.WaitForAssertion(() => Assert.Equal("", ErrorOf(cut, "lr-encoder")), Wait);
    }

    [Fact]
    public void Submit_NoEpochsNoMaxSteps_ShowsTheBudgetMessageAndStartsNothing()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        var navigation = Services.GetRequiredService<NavigationManager>();
        string before = navigation.Uri;

        Input(cut, "epochs").Change("");
        cut.Find("[data-testid=submit]").Click();

        string expected = ValidatorMessage(new RunRequest { Epochs = null, MaxSteps = null }, nameof(RunRequest.Epochs));
        cut.WaitForAssertion(() => Assert.Equal(expected, ErrorOf(cut, "epochs")), Wait);
        Assert.Empty(StoredRuns());
        Assert.Equal(before, navigation.Uri);
    }

    [Fact]
    public void Submit_InitCheckpointThatDoesNotExist_ShowsTheValidatorsMessage()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        string missing = Path.Combine(Root, "no-such-checkpoint");

        Input(cut, "init-checkpoint").Input(missing);
        Input(cut, "init-checkpoint").Blur();
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("folder not found", ErrorOf(cut, "init-checkpoint")), Wait);
        Assert.Contains(missing, ErrorOf(cut, "init-checkpoint"));
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
        RunRequest config = ConfigOf(run.Id);
        Assert.Equal(RunPhases.Slt, config.Phase);
        Assert.Null(config.Epochs);
        Assert.Equal(12, config.MaxSteps);
        Assert.Equal(2, config.BatchSize);
        Assert.Equal(3e-4, config.LrEncoder);
        Assert.Equal(6, config.EvalEvery);
        Assert.Equal(1, config.Beams);
        cut.WaitForAssertion(() => Assert.EndsWith($"/runs/{run.Id}", navigation.Uri), Wait);
    }

    [Fact]
    public void QuickDemo_ThenSubmit_CreatesAShortRun()
    {
        IRenderedComponent<NewRun> cut = RenderForm();

        cut.Find("[data-testid=quick-demo]").Click();
        cut.Find("[data-testid=submit]").Click();

        cut.WaitForAssertion(() => Assert.Single(StoredRuns()), Wait);
        RunRequest config = ConfigOf(StoredRuns()[0].Id);
        Assert.Null(config.Epochs);
        Assert.NotNull(config.MaxSteps);
        Assert.Equal("tiny", config.Preset);
        Assert.Equal(1, config.Beams);
    }

    [Fact]
    public void SelectPhase_Pipeline_DisablesTheInitCheckpoint()
    {
        IRenderedComponent<NewRun> cut = RenderForm();
        Assert.False(Input(cut, "init-checkpoint").HasAttribute("disabled"));

        Input(cut, "phase").Closest(".mud-input-control")!.MouseDown();
        var popovers = _popovers!;
        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll(".mud-list-item")), Wait);
        popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Contains("full pipeline")).Click();

        cut.WaitForAssertion(() => Assert.True(Input(cut, "init-checkpoint").HasAttribute("disabled")), Wait);
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

        Assert.Equal(["/ck/vlp/best"], CheckpointChoices.InitChoices(checkpoints, RunPhases.Slt).Select(c => c.Path));
        Assert.Equal(["/ck/text/best"], CheckpointChoices.InitChoices(checkpoints, RunPhases.Text).Select(c => c.Path));
        Assert.Equal(["/ck/text/best", "/ck/vlp/best"], CheckpointChoices.InitChoices(checkpoints, RunPhases.Vlp).Select(c => c.Path).Order());
        Assert.Empty(CheckpointChoices.InitChoices(checkpoints, RunPhases.Pipeline));
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
}
