using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Tests.Evaluation;

public sealed class EvaluationScoringTests
{
    private static readonly PhoenixSample[] Samples =
    [
        new("a", "morgen regen im norden"),
        new("b", "sonne im süden"),
    ];

    [Fact]
    public void ReadHypotheses_TrailingNewlineAndCrLf_OneLinePerClip()
    {
        Assert.Equal(["eins zwei", "", "drei"], EvaluationScoring.ReadHypotheses("eins zwei\r\n\ndrei\n"));
        Assert.Equal(["ohne ende"], EvaluationScoring.ReadHypotheses("ohne ende"));
    }

    [Fact]
    public void Sentences_HypothesesFile_RowsWithSentenceBleu()
    {
        var rows = EvaluationScoring.Sentences(EvaluationScoring.ReadHypotheses("morgen regen im norden\nwind im westen\n"), Samples);

        Assert.Equal(["a", "b"], rows.Select(r => r.Name));
        Assert.Equal(100.0, rows[0].SentenceBleu, 9);                 // identical to its reference
        Assert.InRange(rows[1].SentenceBleu, 0.0, 99.0);
        Assert.Equal(BleuMetric.SentenceScore("wind im westen", ["sonne im süden"]).Score, rows[1].SentenceBleu);
    }

    [Fact]
    public void Sentences_FewerHypothesesThanClips_ThrowsWithCounts()
    {
        var e = Assert.Throws<InvalidDataException>(() => EvaluationScoring.Sentences(["nur eine"], Samples));

        Assert.Contains("1 hypotheses for the 2 clips", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_Sentences_CorpusMetricsAndRowsStored()
    {
        var entity = new EvaluationEntity();
        var rows = EvaluationScoring.Sentences(["morgen regen im norden", "sonne im süden"], Samples);

        EvaluationScoring.Apply(entity, rows);

        Assert.Equal(2, entity.Clips);
        Assert.Equal(100.0, entity.SacreBleu!.Value, 9);
        Assert.Equal(100.0, entity.Bleu4!.Value, 9);
        Assert.Equal(100.0, entity.Chrf!.Value, 9);
        Assert.Equal(["a", "b"], entity.Sentences.Select(s => s.Name));
    }
}

public sealed class ComparisonBuilderTests
{
    private static EvaluationDetails Details(int id, string split, params (string Reference, string Hypothesis)[] pairs) => new(
        new EvaluationInfo(id, 1, "/ck/run/best", "synth", split, 1, JobStatus.Completed, null, DateTime.UnixEpoch, null, null, pairs.Length,
            null, null, null, null, null, null, null),
        [.. pairs.Select((p, i) => new SentenceResult(i, $"clip{i}", p.Reference, p.Hypothesis, BleuMetric.SentenceScore(p.Hypothesis, [p.Reference]).Score))]);

    [Fact]
    public void Problem_DifferentSplits_SaysWhich()
    {
        string? problem = ComparisonBuilder.Problem([Details(1, "dev", ("a b c", "a b c")), Details(2, "test", ("a b c", "a b"))]);

        Assert.Contains("synth/test", problem, StringComparison.Ordinal);
        Assert.Contains("same split", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_OneEvaluation_AsksForTwo()
    {
        Assert.Equal("Pick at least two evaluations to compare.", ComparisonBuilder.Problem([Details(1, "dev", ("a", "a"))]));
    }

    [Fact]
    public void Build_TwoEvaluations_RowsPerSentenceWithSignedDifference()
    {
        var first = Details(1, "dev", ("regen im norden heute", "regen im norden heute"), ("sonne am tag und morgen", "wind"));
        var second = Details(2, "dev", ("regen im norden heute", "wind"), ("sonne am tag und morgen", "sonne am tag und morgen"));

        var comparison = ComparisonBuilder.Build([first, second], resamples: 50);

        Assert.Equal(2, comparison.Rows.Count);
        Assert.Equal(["regen im norden heute", "wind"], comparison.Rows[0].Hypotheses);
        Assert.Equal(comparison.Rows[0].SentenceBleu[1] - 100.0, comparison.Rows[0].Difference, 9);
        Assert.True(comparison.Rows[1].Difference > 0);
        Assert.Null(comparison.Systems[0].PValue);
        Assert.NotNull(comparison.Systems[1].PValue);
        Assert.Equal(50, comparison.Resamples);
    }

    [Fact]
    public void Difference_ThreeSystems_LargestMagnitudeSigned()
    {
        Assert.Equal(-30.0, ComparisonBuilder.Difference([50, 70, 20]));
        Assert.Equal(0.0, ComparisonBuilder.Difference([50]));
    }

    [Fact]
    public void ParseIds_Lists_DistinctInOrderOrNull()
    {
        Assert.Equal([3, 1], CheckpointsApi.ParseIds(" 3, 1,3 "));
        Assert.Null(CheckpointsApi.ParseIds("1,x"));
        Assert.Null(CheckpointsApi.ParseIds("-1"));
        Assert.Null(CheckpointsApi.ParseIds(""));
    }
}

public sealed class MBartImportTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDir("phoenix-mbart-import");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(params string[] files)
    {
        string folder = Path.Combine(_root, "mbart");
        Directory.CreateDirectory(folder);
        foreach (string file in files)
            File.WriteAllText(Path.Combine(folder, file), file == "config.json" ? """{"d_model": 1024}""" : "x");
        return folder;
    }

    [Fact]
    public void Problem_CompleteFolder_Null()
    {
        Assert.Null(MBartImport.Problem(Folder("config.json", "model.safetensors", "sentencepiece.bpe.model")));
    }

    [Fact]
    public void Problem_MissingFiles_NamesThem()
    {
        string? problem = MBartImport.Problem(Folder("config.json"));

        Assert.Contains("model.safetensors, sentencepiece.bpe.model missing", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_BrokenConfig_SaysNotValidJson()
    {
        string folder = Folder("model.safetensors", "sentencepiece.bpe.model");
        File.WriteAllText(Path.Combine(folder, "config.json"), "{ d_model");

        Assert.Contains("config.json: not valid JSON", MBartImport.Problem(folder), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_RelativeOrMissingFolder_SaysWhatToGive()
    {
        Assert.Contains("full path", MBartImport.Problem("models/mbart"), StringComparison.Ordinal);
        Assert.Contains("folder not found", MBartImport.Problem(Path.Combine(_root, "nope")), StringComparison.Ordinal);
        Assert.Contains("Give the path", MBartImport.Problem(" "), StringComparison.Ordinal);
    }
}
