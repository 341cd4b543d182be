using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Events;

namespace PhoenixSlt.Cli.Tests;

[Collection(SltCheckpointCollection.Name)]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDir("phoenix-cli-train");
    private readonly string _data;

    public TrainCommandTests()
    {
        _data = Path.Combine(_root, "data");
        SyntheticPhoenixGenerator.Generate(new SynthOptions(_data, Train: 8, Dev: 3, Test: 0, Seed: 5) { MaxParallelism = 2 });
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string[] Args(string phase, string outDir, params string[] more)
        => ["train", phase, "--data", _data, "--out", outDir, "--max-steps", "2", "--batch-size", "4", "--beams", "1", "--log-every", "1", .. more];

    [Fact]
    public void Train_EventsToStandardOutput_PrintsOnlyEventLinesFromRunStartedToFinished()
    {
        string outDir = Path.Combine(_root, "out");

        var result = CliRunner.Run(TrainCommand.Create(), Args("slt", outDir, "--events", "-"));

        Assert.Equal(TrainCommand.ExitOk, result.ExitCode);
        var events = result.Output.TrimEnd('\n').Split('\n').Select(ProgressEventJson.Parse).ToList();
        Assert.IsType<RunStartedEvent>(events[0]);
        Assert.Equal(2, events.OfType<StepEvent>().Count());
        Assert.NotEmpty(events.OfType<EvalEvent>());
        var finished = Assert.IsType<FinishedEvent>(events[^1]);
        Assert.Equal(Path.Combine(Path.GetFullPath(outDir), "best"), finished.BestCheckpoint);
        Assert.Equal(CheckpointPhase.Slt, CheckpointMetadata.Load(finished.BestCheckpoint!).Phase);
        Assert.Contains("step 2/2", result.Error);   // the progress lines go to stderr
    }

    [Fact]
    public void Train_ThreadsFlag_RunsWithThatManyThreadsAndRecordsThemInRunStarted()
    {
        int before = TorchSharp.torch.get_num_threads();
        int wanted = before == 1 ? 2 : 1;
        try
        {
            var result = CliRunner.Run(TrainCommand.Create(), Args("vlp", Path.Combine(_root, "out"), "--events", "-", "--threads", wanted.ToString(System.Globalization.CultureInfo.InvariantCulture)));

            Assert.Equal(TrainCommand.ExitOk, result.ExitCode);
            var started = Assert.IsType<RunStartedEvent>(ProgressEventJson.Parse(result.Output.Split('\n')[0]));
            Assert.Equal(wanted, started.Config.GetProperty("trainer").GetProperty("threads").GetInt32());
        }
        finally
        {
            TorchSharp.torch.set_num_threads(before);
        }
    }

    [Fact]
    public void Train_EventsFile_WritesTheStreamAndPrintsASummary()
    {
        string outDir = Path.Combine(_root, "out");
        string eventsFile = Path.Combine(_root, "logs", "events.jsonl");

        var result = CliRunner.Run(TrainCommand.Create(), Args("vlp", outDir, "--events", eventsFile));

        Assert.Equal(TrainCommand.ExitOk, result.ExitCode);
        Assert.Contains($"best checkpoint: {Path.Combine(Path.GetFullPath(outDir), "best")}", result.Output);
        Assert.Contains("best val_loss:", result.Output);
        var events = File.ReadAllLines(eventsFile).Select(ProgressEventJson.Parse).ToList();
        Assert.Equal("vlp", Assert.IsType<RunStartedEvent>(events[0]).Phase);
        Assert.IsType<FinishedEvent>(events[^1]);
    }

    [Fact]
    public void Train_Pipeline_RunsTextVlpSltChainedThroughTheBestFoldersWithOneEventStream()
    {
        string outDir = Path.Combine(_root, "pipe");
        string eventsFile = Path.Combine(_root, "pipe.jsonl");

        var result = CliRunner.Run(TrainCommand.Create(), Args("pipeline", outDir, "--events", eventsFile));

        Assert.True(result.ExitCode == TrainCommand.ExitOk, result.Error);
        var events = File.ReadAllLines(eventsFile).Select(ProgressEventJson.Parse).ToList();
        Assert.Equal(["text", "vlp", "slt"], events.OfType<RunStartedEvent>().Select(e => e.Phase));
        Assert.Equal(3, events.OfType<FinishedEvent>().Count());
        foreach (string phase in new[] { "text", "vlp", "slt" })
            Assert.True(CheckpointFolder.IsCheckpoint(Path.Combine(outDir, phase, "best")), $"{phase}/best");
        var slt = TrainingRecipe.Load(Path.Combine(outDir, "slt", "best"))!;
        Assert.Equal(Path.Combine(outDir, "vlp", "best"), slt.Init);
        Assert.Equal(Path.Combine(outDir, "text", "best"), slt.MBart);
        Assert.Equal(Path.Combine(outDir, "text", "best"), TrainingRecipe.Load(Path.Combine(outDir, "vlp", "best"))!.MBart);
        Assert.Contains($"== slt stage: {Path.Combine(outDir, "slt")}", result.Output);
    }

    [Fact]
    public void Train_StageNotInThePlan_ExitsOneNamingTheStages()
    {
        var result = CliRunner.Run(TrainCommand.Create(), Args("slt", Path.Combine(_root, "out"), "--stage", "vlp"));

        Assert.Equal(TrainCommand.ExitFailed, result.ExitCode);
        Assert.Contains("--stage 'vlp' is not a stage of this run; allowed: slt", result.Error);
    }

    [Fact]
    public void Train_PrintSpec_PrintsTheResolvedSpecThatTrainSpecRunsUnchanged()
    {
        string outDir = Path.Combine(_root, "printed");
        var printed = CliRunner.Run(TrainCommand.Create(), Args("slt", outDir, "--lr-encoder", "3e-3", "--print-spec"));
        Assert.Equal(TrainCommand.ExitOk, printed.ExitCode);
        string specFile = Path.Combine(_root, "run.json");
        File.WriteAllText(specFile, printed.Output);

        var again = CliRunner.Run(TrainCommand.Create(), "train", "--spec", specFile, "--print-spec");

        Assert.Equal(printed.Output, again.Output);
        var (spec, problems) = PhoenixSlt.Training.Specs.RunSpecJson.Read(printed.Output);
        Assert.True(problems.IsValid);
        Assert.Equal((Path.GetFullPath(outDir), 3e-3, 2L), (spec.Out, spec.LrEncoder!.Value, spec.MaxSteps!.Value));
        Assert.False(Directory.Exists(outDir), "printing trains nothing");
    }

    [Fact]
    public void Train_AugmentFlag_TakesNoValueAndEachStrengthCanBeSwitchedOff()
    {
        string outDir = Path.Combine(_root, "augment");

        var on = CliRunner.Run(TrainCommand.Create(), "train", "--augment", "vlp", "--data", _data, "--out", outDir, "--aug-rotation", "0", "--print-spec");
        var spec = PhoenixSlt.Training.Specs.RunSpecJson.Read(on.Output).Spec;
        var off = CliRunner.Run(TrainCommand.Create(), "train", "--spec", WriteSpec(on.Output), "--augment", "false", "--print-spec");
        var bad = CliRunner.Run(TrainCommand.Create(), Args("slt", outDir, "--augment", "--aug-frame-drop", "1", "--print-spec"));

        Assert.Equal(TrainCommand.ExitOk, on.ExitCode);
        Assert.Equal(("vlp", true, 0.0, 0.2), (spec.Phase, spec.Augment, spec.AugRotation, spec.AugSpeed));
        Assert.False(PhoenixSlt.Training.Specs.RunSpecJson.Read(off.Output).Spec.Augment);
        Assert.NotEqual(TrainCommand.ExitOk, bad.ExitCode);
        Assert.Contains("aug_frame_drop 1 is out of range; allowed: a number from 0 and below 1.", bad.Error);
    }

    private string WriteSpec(string json)
    {
        string file = Path.Combine(_root, $"spec-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        return file;
    }

    [Fact]
    public void Train_MissingData_ExitsOneWithOneFailedEventNamingTheFolder()
    {
        string missing = Path.Combine(_root, "no-such-data");

        var result = CliRunner.Run(TrainCommand.Create(), "train", "slt", "--data", missing, "--out", Path.Combine(_root, "out"), "--max-steps", "1", "--events", "-");

        Assert.Equal(TrainCommand.ExitFailed, result.ExitCode);
        var failed = Assert.IsType<FailedEvent>(ProgressEventJson.Parse(Assert.Single(result.Output.TrimEnd('\n').Split('\n'))));
        Assert.Contains(missing, failed.Message);
        Assert.Contains($"train: data '{missing}': folder not found", result.Error);
    }

    [Fact]
    public void Train_WorldSizeZero_ExitsOneWithoutTraining()
    {
        var result = CliRunner.Run(TrainCommand.Create(), Args("slt", Path.Combine(_root, "out"), ["--world-size", "0"]));

        Assert.Equal(TrainCommand.ExitFailed, result.ExitCode);
        Assert.Contains("world_size 0 is out of range; allowed: a whole number from 1 to 64.", result.Error);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")), "nothing was trained");
    }

    [Fact]
    public void Train_CudaWithoutCuda_ExitsOneSayingCudaIsNotAvailable()
    {
        if (DeviceSelection.CudaDeviceCount() > 0)
            return; // a CUDA machine can train on cuda:0; the message is covered by DeviceSelectionTests

        var result = CliRunner.Run(TrainCommand.Create(), Args("slt", Path.Combine(_root, "out"), "--device", "cuda"));

        Assert.Equal(TrainCommand.ExitFailed, result.ExitCode);
        Assert.Contains("CUDA is not available", result.Error);
    }

    [Fact]
    public void Train_IntoAFolderHoldingARun_ExitsOne()
    {
        string outDir = Path.Combine(_root, "out");
        Assert.Equal(TrainCommand.ExitOk, CliRunner.Run(TrainCommand.Create(), Args("text", outDir)).ExitCode);

        var again = CliRunner.Run(TrainCommand.Create(), Args("text", outDir));

        Assert.Equal(TrainCommand.ExitFailed, again.ExitCode);
        Assert.Contains("already holds the checkpoints of a run", again.Error);
    }
}
