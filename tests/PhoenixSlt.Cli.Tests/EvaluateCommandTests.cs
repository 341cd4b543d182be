using System.Text.Json;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Cli.Tests;

/// A synthetic dataset (10 train, 4 dev, 3 test clips) and an SLT checkpoint trained on it for a few steps.
public sealed class SltCheckpointFixture : IDisposable
{
    public SltCheckpointFixture()
    {
        Root = TestPaths.NewTempDir("phoenix-cli-slt");
        DataDir = Path.Combine(Root, "data");
        SyntheticPhoenixGenerator.Generate(new SynthOptions(DataDir, Train: 10, Dev: 4, Test: 3, Seed: 9) { MaxParallelism = 2 });
        var options = new RunSpec
        {
            Phase = TrainingPhaseNames.Slt,
            Data = DataDir,
            Out = Path.Combine(Root, "run"),
            MaxSteps = 6,
            BatchSize = 5,
            LrEncoder = 3e-3,
            Beams = 1,
        };
        using var session = TrainingSession.Create(options);
        Checkpoint = session.Run().BestCheckpoint!;
    }

    public string Root { get; }
    public string DataDir { get; }
    public string Checkpoint { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// Commands that train or load models run one at a time (both cores, TorchSharp's global generator).
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SltCheckpointCollection : ICollectionFixture<SltCheckpointFixture>
{
    public const string Name = "SLT checkpoint commands";
}

[Collection(SltCheckpointCollection.Name)]
public sealed class EvaluateCommandTests(SltCheckpointFixture fixture)
{
    [Fact]
    public void Evaluate_JsonWithHypothesesFile_MetricsEqualMetricSuiteOnTheWrittenHypotheses()
    {
        string hypFile = Path.Combine(fixture.Root, $"hyp-{Guid.NewGuid():N}.txt");

        var result = CliRunner.Run(EvaluateCommand.Create(), "evaluate", "--checkpoint", fixture.Checkpoint, "--data", fixture.DataDir,
            "--split", "test", "--beams", "2", "--json", "--hyp-out", hypFile);

        Assert.Equal(EvaluateCommand.ExitOk, result.ExitCode);
        var hypotheses = ScoreCommand.SplitLines(File.ReadAllText(hypFile));
        var references = PhoenixCorpus.Load(new DatasetLayout(fixture.DataDir).AnnotationsDir, "test").Select(s => s.Translation).ToList();
        Assert.Equal(references.Count, hypotheses.Count);
        var expected = MetricSuite.Score(hypotheses, [references]);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(expected.Slt.Bleu1, root.GetProperty("bleu1").GetDouble(), 9);
        Assert.Equal(expected.Slt.Bleu4, root.GetProperty("bleu4").GetDouble(), 9);
        Assert.Equal(expected.Bleu.Score, root.GetProperty("sacrebleu").GetDouble(), 9);
        Assert.Equal(expected.RougeL.Score, root.GetProperty("rouge_l").GetDouble(), 9);
        Assert.Equal(expected.Chrf.Score, root.GetProperty("chrf").GetDouble(), 9);
        Assert.True(root.GetProperty("val_loss").GetDouble() > 0);
        Assert.Equal(3, root.GetProperty("clips").GetInt32());
        Assert.Equal("test", root.GetProperty("split").GetString());
        Assert.Equal(Path.GetFullPath(hypFile), root.GetProperty("hypotheses_file").GetString());
    }

    [Fact]
    public void Evaluate_Text_PrintsEveryMetric()
    {
        var result = CliRunner.Run(EvaluateCommand.Create(), "evaluate", "--checkpoint", fixture.Checkpoint, "--data", fixture.DataDir, "--beams", "1");

        Assert.Equal(EvaluateCommand.ExitOk, result.ExitCode);
        Assert.StartsWith("dev: 4 clips, 1 beam(s)", result.Output);
        foreach (string label in new[] { "BLEU-1..4", "sacreBLEU", "ROUGE-L", "chrF", "val loss" })
            Assert.Contains(label, result.Output);
    }

    [Fact]
    public void Evaluate_VlpCheckpoint_ExitsOneSayingAnSltCheckpointIsNeeded()
    {
        string folder = Path.Combine(fixture.Root, $"vlp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        CheckpointMetadata.Create(CheckpointPhase.Vlp, VlpConfig.Tiny).Save(folder);

        var result = CliRunner.Run(EvaluateCommand.Create(), "evaluate", "--checkpoint", folder, "--data", fixture.DataDir);

        Assert.Equal(EvaluateCommand.ExitFailed, result.ExitCode);
        Assert.Contains(folder, result.Error);
        Assert.Contains("this is a vlp checkpoint; translating needs an slt checkpoint", result.Error);
    }

    [Fact]
    public void Evaluate_MissingCheckpoint_ExitsOneNamingIt()
    {
        string missing = Path.Combine(fixture.Root, "nothing-here");

        var result = CliRunner.Run(EvaluateCommand.Create(), "evaluate", "--checkpoint", missing, "--data", fixture.DataDir);

        Assert.Equal(EvaluateCommand.ExitFailed, result.ExitCode);
        Assert.Contains($"evaluate: {missing}: checkpoint folder not found", result.Error);
    }

    [Fact]
    public void Evaluate_ThreadsZero_RejectedBeforeAnythingLoads()
    {
        var result = CliRunner.Run(EvaluateCommand.Create(), "evaluate", "--checkpoint", fixture.Checkpoint, "--data", fixture.DataDir, "--threads", "0");

        Assert.NotEqual(EvaluateCommand.ExitOk, result.ExitCode);
        Assert.Contains("--threads must be between 1 and 1024, got 0", result.Error);
    }
}
