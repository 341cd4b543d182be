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
