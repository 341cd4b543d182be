using System.Text.Json;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Cli.Tests;

[Collection(SltCheckpointCollection.Name)]
public sealed class TranslateCommandTests(SltCheckpointFixture fixture)
{
    private (string Keypoints, string Siglip) DevClip(int index)
    {
        var layout = new DatasetLayout(fixture.DataDir);
        var store = new FeatureStore(layout);
        string name = PhoenixCorpus.Load(layout.AnnotationsDir, "dev")[index].Name;
        return (store.FindFile(FeatureKind.Keypoints, "dev", name)!, store.FindFile(FeatureKind.Siglip, "dev", name)!);
    }

    [Fact]
    public void Translate_DevClip_PrintsTheHypothesisEvaluateWritesForIt()
    {
        string hypFile = Path.Combine(fixture.Root, $"hyp-{Guid.NewGuid():N}.txt");
        var evaluate = CliRunner.Run(EvaluateCommand.Create(), "evaluate", "--checkpoint", fixture.Checkpoint, "--data", fixture.DataDir,
            "--split", "dev", "--beams", "3", "--batch-size", "1", "--hyp-out", hypFile);
        Assert.Equal(EvaluateCommand.ExitOk, evaluate.ExitCode);
        var (keypoints, siglip) = DevClip(2);

        var result = CliRunner.Run(TranslateCommand.Create(), "translate", "--checkpoint", fixture.Checkpoint, "--kpts", keypoints, "--siglip", siglip, "--beams", "3");

        Assert.Equal(TranslateCommand.ExitOk, result.ExitCode);
        // the translation is the first line (a checkpoint with a gloss head adds a "glosses:" line after it)
        Assert.Equal(ScoreCommand.SplitLines(File.ReadAllText(hypFile))[2], ScoreCommand.SplitLines(result.Output)[0]);
    }

    [Fact]
    public void Translate_Json_PrintsTheTranslationObject()
    {
        var (keypoints, siglip) = DevClip(0);

        var result = CliRunner.Run(TranslateCommand.Create(), "translate", "--checkpoint", fixture.Checkpoint, "--kpts", keypoints, "--siglip", siglip, "--beams", "1", "--json");

        Assert.Equal(TranslateCommand.ExitOk, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("translation").GetString()));
    }

    [Fact]
    public void Translate_MissingKeypoints_ExitsOneNamingTheFile()
    {
        var (_, siglip) = DevClip(0);
        string missing = Path.Combine(fixture.Root, "missing.npy");

        var result = CliRunner.Run(TranslateCommand.Create(), "translate", "--checkpoint", fixture.Checkpoint, "--kpts", missing, "--siglip", siglip);

        Assert.Equal(TranslateCommand.ExitFailed, result.ExitCode);
        Assert.Contains($"translate: {missing}: file not found", result.Error);
    }

    [Fact]
    public void Translate_SwappedFiles_ExitsOneSayingWhatShapeIsExpected()
    {
        var (keypoints, siglip) = DevClip(0);

        var result = CliRunner.Run(TranslateCommand.Create(), "translate", "--checkpoint", fixture.Checkpoint, "--kpts", siglip, "--siglip", keypoints);

        Assert.Equal(TranslateCommand.ExitFailed, result.ExitCode);
        Assert.Contains("keypoints must have shape", result.Error);
    }
}
