using System.Globalization;
using PhoenixSlt.Cli;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Tests.Runs;

/// How the portal launches a run: its out folder (<see cref="PipelinePlan.RunOut"/>), its stages
/// (<see cref="PipelinePlan.Stages"/>) and the `phoenix-slt train --spec … --stage …` command of each stage
/// (<see cref="TrainCommand.StageArguments"/>), which the real command line must turn back into the same stage.
public sealed class RunLaunchTests : IDisposable
{
    private static readonly string RunFolder = Path.Combine(Path.GetTempPath(), "runs", "7");
    private const string Data = "/data/phoenix-synth";

    private readonly string _folder = TestPaths.NewTempDir("phoenix-run-launch");

    public void Dispose() => TestPaths.TryDeleteDir(_folder);

    /// The spec as RunService stores it: data the dataset folder, out the run's out folder.
    private static RunSpec Resolved(RunSpec spec) => spec with { Data = Data, Out = PipelinePlan.RunOut(RunFolder, spec.Phase) };

    [Theory]
    [InlineData("text")]
    [InlineData("vlp")]
    [InlineData("slt")]
    public void RunOut_SinglePhase_IsItsSubfolderOfTheRunFolder(string phase)
    {
        Assert.Equal(Path.Combine(RunFolder, phase), PipelinePlan.RunOut(RunFolder, phase));
    }

    [Fact]
    public void RunOut_Pipeline_IsTheRunFolder()
    {
        Assert.Equal(RunFolder, PipelinePlan.RunOut(RunFolder, TrainingPhaseNames.Pipeline));
    }

    [Fact]
    public void Stages_SinglePhase_OneStageInItsOwnSubfolder()
    {
        var spec = Resolved(new RunSpec { Phase = TrainingPhaseNames.Vlp, Init = "/ckpt/text/best", Mbart = "/mbart", BatchSize = 2 });

        var stage = Assert.Single(PipelinePlan.Stages(spec));

        string vlp = Path.Combine(RunFolder, "vlp");
        Assert.Equal(("vlp", vlp, Path.Combine(vlp, "events.jsonl")), (stage.Phase, stage.OutDir, stage.EventsFile));
        Assert.Equal(spec, stage.Spec);
    }

    [Fact]
    public void Stages_Pipeline_ChainsTextVlpSltThroughTheirBestFolders()
    {
        var spec = Resolved(new RunSpec { Phase = TrainingPhaseNames.Pipeline, Mbart = "/hf/mbart", BatchSize = 2, MaxSteps = 9 });

        var stages = PipelinePlan.Stages(spec);

        string text = Path.Combine(RunFolder, "text"), vlp = Path.Combine(RunFolder, "vlp"), slt = Path.Combine(RunFolder, "slt");
        Assert.Equal(
        [
            ("text", text, Path.Combine(text, "events.jsonl"), (string?)null, (string?)"/hf/mbart"),
            ("vlp", vlp, Path.Combine(vlp, "events.jsonl"), null, Path.Combine(text, "best")),
            ("slt", slt, Path.Combine(slt, "events.jsonl"), Path.Combine(vlp, "best"), Path.Combine(text, "best")),
        ], stages.Select(s => (s.Phase, s.OutDir, s.EventsFile, s.Spec.Init, s.Spec.Mbart)));
        Assert.All(stages, s => Assert.Equal(s.Phase, s.Spec.Phase));
        // every other setting is the run's
        Assert.All(stages, s => Assert.Equal(spec with { Phase = s.Phase, Out = s.OutDir, Init = s.Spec.Init, Mbart = s.Spec.Mbart }, s.Spec));
        Assert.Equal(TrainingPhaseNames.StagesOf(TrainingPhaseNames.Pipeline), stages.Select(s => s.Phase));
    }

    [Fact]
    public void StageArguments_FirstStart_SpecStageAndEvents()
    {
        var stage = PipelinePlan.Stages(Resolved(new RunSpec { Phase = TrainingPhaseNames.Slt }))[0];
        string specFile = Path.Combine(RunFolder, RunSpecJson.FileName);

        Assert.Equal(["train", "--spec", specFile, "--stage", "slt", "--events", stage.EventsFile], TrainCommand.StageArguments(specFile, stage, resume: false));
        Assert.Equal(["train", "--spec", specFile, "--stage", "slt", "--events", stage.EventsFile, "--resume"], TrainCommand.StageArguments(specFile, stage, resume: true));
    }

    [Theory]
    [InlineData("slt", "slt")]
    [InlineData("pipeline", "text")]
    [InlineData("pipeline", "vlp")]
    [InlineData("pipeline", "slt")]
    public void StageArguments_EverySetting_TheRealCommandLineTrainsExactlyThatStage(string phase, string stageName)
    {
        var spec = Resolved(new RunSpec
        {
            Phase = phase, Name = "all settings", Preset = "base", Epochs = 3, MaxSteps = 120, BatchSize = 16, Accumulate = 2,
            LrEncoder = 3e-4, LrDecoder = 5e-6, WarmupSteps = 10, WeightDecay = 0.05, MaxGradNorm = null, LabelSmoothing = 0.2,
            Dropout = 0.3, Patience = 4, MaxFrames = 200, Amp = "bf16", Device = "cuda:1", WorldSize = 2, Backend = "tcp",
            LoaderWorkers = 0, EvalBatchSize = 3, SamplesToShow = 1, Seed = 7, EvalEvery = 50, SaveEvery = 25, LogEvery = 5,
            Beams = 4, TrainSplit = "dev", ValidationSplit = "test",
            Init = phase == TrainingPhaseNames.Pipeline ? null : "/ckpt/vlp/best", Mbart = "/hf/mbart",
        });
        // the supervisor writes the resolved spec into the run folder and starts each stage from it
        string specFile = RunSpecJson.Save(spec, _folder);
        var stage = PipelinePlan.Stages(spec).Single(s => s.Phase == stageName);

        var parsed = CliApp.CreateRoot().Parse([.. TrainCommand.StageArguments(specFile, stage, resume: true)]);

        Assert.Empty(parsed.Errors);
        var (read, problems) = TrainCommand.Resolve(new TrainSpecOptions().Read(parsed));
        var request = new TrainCommand.Request(read, parsed.GetValue<bool>("--resume"), parsed.GetValue<string?>("--events"), parsed.GetValue<string?>("--stage"));
        // only the machine's folders and devices are missing here; the settings themselves are read back intact
        Assert.All(problems.Errors.Keys, field => Assert.Contains(field, new[] { "data", "init", "mbart", "device" }));
        Assert.Equal(spec, read);
        var trained = Assert.Single(TrainCommand.StagesOf(request, out string? problem)!);
        Assert.Null(problem);
        Assert.Equal(stage, trained);
        Assert.True(request.Resume);
        Assert.Equal(stage.EventsFile, request.Events);
    }

    [Fact]
    public void SpecFile_LearningRates_AreWrittenWithInvariantDecimalPoints()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            string file = RunSpecJson.Save(Resolved(new RunSpec { LrEncoder = 0.00025 }), _folder);

            Assert.Contains("\"lr_encoder\": 0.00025", File.ReadAllText(file));
            Assert.Equal(0.00025, RunSpecJson.ReadFile(file).Spec.LrEncoder);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("cpu", 4, new[] { "cpu" })]
    [InlineData("cuda", 1, new[] { "cuda:0" })]
    [InlineData("cuda:2", 3, new[] { "cuda:2", "cuda:3", "cuda:4" })]
    public void DevicesOf_WorldSize_OneDevicePerProcessOnCuda(string device, int worldSize, string[] expected)
    {
        Assert.Equal(expected, DeviceSelection.DevicesOf(device, worldSize));
    }
}
