using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class RunComparisonTests
{
    private static ComparisonInput Input(int id, RunSpec spec, IReadOnlyDictionary<string, double>? metrics = null) => new(
        new RunInfo
        {
            Id = id, Name = $"run {id}", Phase = spec.Phase, Status = JobStatus.Completed, Dataset = "synth",
            CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), Device = "cpu", OutputFolder = $"/runs/{id}",
        },
        spec with { Out = $"/runs/{id}/slt", Name = $"run {id}" },
        metrics ?? new Dictionary<string, double>());

    [Fact]
    public void SettingRows_TwoRunsDifferingInBatchSizeAndSeed_FlagsExactlyThoseRows()
    {
        var runs = new[] { Input(1, new RunSpec { BatchSize = 8, Seed = 1 }), Input(2, new RunSpec { BatchSize = 16, Seed = 2 }) };

        var rows = RunComparison.SettingRows(runs);

        Assert.Equal(["batch_size", "seed"], rows.Where(r => r.Differs).Select(r => r.Name));
        var batch = rows.Single(r => r.Name == "batch_size");
        Assert.Equal(["8", "16"], batch.Values);
        // an empty optional setting shows what empty means, the same for both runs
        var epochs = rows.Single(r => r.Name == "epochs");
        Assert.False(epochs.Differs);
        Assert.StartsWith("empty: ", epochs.Values[0]);
    }

    [Fact]
    public void SettingRows_PerRunFieldsLeftOut_EveryOtherSpecFieldOnceInTableOrder()
    {
        var rows = RunComparison.SettingRows([Input(1, new RunSpec()), Input(2, new RunSpec())]);

        // name and out always differ (they identify the run): not settings rows
        Assert.Equal(RunSpecFields.All.Select(f => f.Name).Where(n => n is not ("name" or "out")), rows.Select(r => r.Name));
        Assert.DoesNotContain(rows, r => r.Differs);
    }

    [Fact]
    public void SettingsShown_DifferencesOnly_KeepsOnlyDifferingRows()
    {
        var comparison = RunComparison.Of([Input(1, new RunSpec { LrEncoder = 1e-4 }), Input(2, new RunSpec { LrEncoder = 3e-4 }), Input(3, new RunSpec { LrEncoder = 1e-4 })]);

        var shown = comparison.SettingsShown(differencesOnly: true);

        var row = Assert.Single(shown);
        Assert.Equal("lr_encoder", row.Name);
        Assert.Equal(["0.0001", "0.0003", "0.0001"], row.Values);
        Assert.Equal(comparison.Settings.Count, comparison.SettingsShown(differencesOnly: false).Count);
    }

    [Fact]
    public void MetricRows_BestMarkedInEachMetricsDirection()
    {
        var runs = new[]
        {
            Input(1, new RunSpec(), new Dictionary<string, double> { ["bleu4"] = 10, ["val_loss"] = 2.5, ["gloss_wer"] = 40 }),
            Input(2, new RunSpec(), new Dictionary<string, double> { ["bleu4"] = 12, ["val_loss"] = 3.0, ["gloss_wer"] = 35 }),
        };

        var rows = RunComparison.MetricRows(runs);

        Assert.Equal(["bleu4", "gloss_wer", "val_loss"], rows.Select(r => r.Name));
        var bleu = rows.Single(r => r.Name == "bleu4");
        Assert.True(bleu.HigherIsBetter);
        Assert.Equal([1], bleu.Best);
        var loss = rows.Single(r => r.Name == "val_loss");
        Assert.False(loss.HigherIsBetter);
        Assert.Equal([0], loss.Best);
        Assert.Equal([1], rows.Single(r => r.Name == "gloss_wer").Best);
    }

    [Fact]
    public void MetricRows_MetricOnlyOneRunHas_ValueMissingElsewhereAndNothingMarked()
    {
        var runs = new[]
        {
            Input(1, new RunSpec(), new Dictionary<string, double> { ["chrf"] = 30, ["rouge_l"] = double.NaN }),
            Input(2, new RunSpec()),
        };

        var rows = RunComparison.MetricRows(runs);

        var chrf = rows.Single(r => r.Name == "chrf");
        Assert.Equal([30.0, null], chrf.Values);
        Assert.Empty(chrf.Best);
        // a value that is not finite counts as missing
        Assert.Equal([null, null], rows.Single(r => r.Name == "rouge_l").Values);
    }

    [Theory]
    [InlineData(new double[] { 5, 7, 7 }, true, new[] { 1, 2 })]
    [InlineData(new double[] { 5, 7, 3 }, false, new[] { 2 })]
    [InlineData(new double[] { 5 }, true, new int[0])]
    public void BestIndexes_TiesAllMarked_SingleValueNone(double[] values, bool higherIsBetter, int[] expected)
        => Assert.Equal(expected, RunComparison.BestIndexes([.. values.Select(v => (double?)v)], higherIsBetter));

    [Theory]
    [InlineData(MetricNames.ValLoss, true)]
    [InlineData(MetricNames.Loss, true)]
    [InlineData(MetricNames.GlossWer, true)]
    [InlineData(MetricNames.Bleu4, false)]
    [InlineData(MetricNames.RougeL, false)]
    [InlineData(MetricNames.Chrf, false)]
    [InlineData(MetricNames.VisualToTextTop1, false)]
    public void LowerIsBetter_LossesAndErrorRates(string name, bool lower) => Assert.Equal(lower, MetricNames.LowerIsBetter(name));

    [Fact]
    public void Parallel_DifferingNumbersAndSwitchesWithBleu4()
    {
        var runs = new[]
        {
            Input(1, new RunSpec { BatchSize = 8, Augment = false, Amp = "none", Dropout = null }, new Dictionary<string, double> { ["bleu4"] = 10 }),
            Input(2, new RunSpec { BatchSize = 16, Augment = true, Amp = "bf16", Dropout = 0.2 }),
        };

        var comparison = RunComparison.Of(runs);

        // amp differs too but is a text: not a dimension
        Assert.Equal(["batch_size", "dropout", "augment"], comparison.Dimensions);
        Assert.Equal([8.0, null, 0.0], comparison.Parallel[0].Values);
        Assert.Equal([16.0, 0.2, 1.0], comparison.Parallel[1].Values);
        Assert.Equal((1, 10.0), (comparison.Parallel[0].RunId, comparison.Parallel[0].Bleu4!.Value));
        Assert.Null(comparison.Parallel[1].Bleu4);
    }

    [Theory]
    [InlineData("1,2", new[] { 1, 2 })]
    [InlineData(" 3 , 1,3 ,2", new[] { 3, 1, 2 })]
    public void ParseIds_Valid_DistinctInOrder(string text, int[] expected)
    {
        var (ids, problem) = RunComparisons.ParseIds(text);
        Assert.Null(problem);
        Assert.Equal(expected, ids);
    }

    [Theory]
    [InlineData(null, "at least two runs (got 0)")]
    [InlineData("5", "at least two runs (got 1)")]
    [InlineData("5,5", "at least two runs (got 1)")]
    [InlineData("1,x", "'x' is not a run id")]
    [InlineData("1,-2", "'-2' is not a run id")]
    [InlineData("0,1", "'0' is not a run id")]
    public void ParseIds_Invalid_SaysWhy(string? text, string problem)
    {
        var (ids, message) = RunComparisons.ParseIds(text);
        Assert.Empty(ids);
        Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseIds_MoreThanTheLimit_Refused()
    {
        var (_, problem) = RunComparisons.ParseIds(string.Join(',', Enumerable.Range(1, RunComparison.MaxRuns + 1)));
        Assert.Contains($"At most {RunComparison.MaxRuns}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Curves_GroupedByStageAndMetricInStepOrder()
    {
        var t = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        MetricValue[] points =
        [
            new("slt", 20, 0, "bleu4", 5, t), new("slt", 10, 0, "bleu4", 3, t), new("vlp", 10, 0, "val_loss", 2, t),
            new("slt", 10, 0, "loss", double.NaN, t), new("slt", 10, 0, "lr_encoder", 1e-4, t),
        ];

        var curves = RunCurves.Of(7, "seven", points, ["bleu4", "val_loss", "loss"]);

        var bleu = curves.Single(c => c.Metric == "bleu4");
        Assert.Equal((7, "seven", "slt"), (bleu.RunId, bleu.RunName, bleu.Stage));
        Assert.Equal([new CurvePoint(10, 3), new CurvePoint(20, 5)], bleu.Points);
        Assert.Equal("vlp", curves.Single(c => c.Metric == "val_loss").Stage);
        // NaN points and metrics not asked for are left out
        Assert.Equal(2, curves.Count);
    }
}
