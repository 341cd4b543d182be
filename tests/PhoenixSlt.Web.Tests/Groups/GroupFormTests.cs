using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Groups;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Groups;

public sealed class GroupFormTests
{
    private static RunSpec Spec() => new() { Phase = TrainingPhaseNames.Slt, Data = "d", Seed = 42 };

    [Theory]
    [InlineData(1, false, null)]
    [InlineData(3, false, RunGroupKinds.Seeds)]
    [InlineData(1, true, RunGroupKinds.Sweep)]
    [InlineData(2, true, RunGroupKinds.Sweep)]
    public void KindOf_SeedsAndSweep_PicksTheGroupKind(int seeds, bool sweep, string? expected)
        => Assert.Equal(expected, GroupForm.KindOf(seeds, sweep));

    [Fact]
    public void Preview_GridOfTwoByThreeWithTwoSeeds_CountsTwelveRunsInSixSettings()
    {
        var rows = new[] { new SweepRow { Field = "lr_encoder", Values = "1e-4, 3e-4" }, new SweepRow { Field = "dropout", Values = "0,0.1,0.2" }, new SweepRow() };
        var (sweep, inputProblems) = GroupForm.Sweep(SweepModes.Grid, rows, null, 42);

        GroupPreview preview = GroupForm.Preview(RunGroupKinds.Sweep, Spec(), 2, sweep, inputProblems);

        Assert.True(preview.IsValid);
        Assert.Equal((12, 6, 2), (preview.Runs, preview.Settings, preview.Seeds));
        Assert.Equal("12 runs (6 settings × 2 seeds)", GroupForm.Describe(preview));
        Assert.Equal(["1e-4", "3e-4"], sweep.Parameters[0].Values);
    }

    [Fact]
    public void Preview_RandomRangeWithCount_CountsPointsTimesSeeds()
    {
        var rows = new[] { new SweepRow { Field = "lr_encoder", Min = "1e-5", Max = "1e-3", Log = true } };
        var (sweep, inputProblems) = GroupForm.Sweep(SweepModes.Random, rows, "5", 42);

        GroupPreview preview = GroupForm.Preview(RunGroupKinds.Sweep, Spec(), 3, sweep, inputProblems);

        Assert.True(preview.IsValid, string.Join("; ", preview.Problems.SelectMany(p => p.Value)));
        Assert.Equal(15, preview.Runs);
        Assert.Equal((1e-5, 1e-3, true), (sweep.Parameters[0].Min, sweep.Parameters[0].Max, sweep.Parameters[0].Log));
    }

    [Fact]
    public void Preview_Ablation_QueuesTwoArmsPerSeed()
    {
        GroupPreview preview = GroupForm.Preview(RunGroupKinds.Ablation, Spec(), 2, null);

        Assert.Equal((4, 2), (preview.Runs, preview.Settings));
    }

    [Fact]
    public void Preview_SeedsOutOfRange_IsASeedsProblem()
    {
        GroupPreview preview = GroupForm.Preview(RunGroupKinds.Seeds, Spec(), 0, null);

        Assert.Equal(0, preview.Runs);
        Assert.Equal([RunGroupPlan.Seeds(null, 0, 42).Problem!], preview.For(RunGroupService.SeedsField));
    }

    [Fact]
    public void Sweep_RangeNotANumber_NamesTheInput()
    {
        var (_, problems) = GroupForm.Sweep(SweepModes.Random, [new SweepRow { Field = "dropout", Min = "abc", Max = "0.3" }], "4", 1);

        Assert.Equal(["dropout min: 'abc' is not a number."], problems);
    }

    [Theory]
    [InlineData("", 1, null)]
    [InlineData(" 3 ", 3, null)]
    [InlineData("two", 1, "The number of seeds must be a whole number (got 'two').")]
    public void ParseSeeds_Text_GivesTheCountOrTheProblem(string text, int count, string? problem)
        => Assert.Equal((count, problem), GroupForm.ParseSeeds(text));

    [Fact]
    public void SweepableFields_LeaveOutTheUnsweepableOnes()
    {
        Assert.DoesNotContain(GroupForm.SweepableFields, f => SweepPlan.Unsweepable.Contains(f.Name));
        Assert.Equal(RunSpecFields.All.Count - SweepPlan.Unsweepable.Count(n => RunSpecFields.Find(n) is not null), GroupForm.SweepableFields.Count);
        Assert.Contains(GroupForm.SweepableFields, f => f.Name == "lr_encoder");
    }
}

public sealed class GroupViewTests
{
    private static MetricValue Point(string stage, long step, string name, double value)
        => new(stage, step, 0, name, value, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    [Fact]
    public void Bands_TwoRunsOfASetting_MeanAndSampleSdAtEachStep()
    {
        var settings = new[] { new GroupSetting("", [1, 2], new Dictionary<string, MeanSd>()) };
        var metrics = new Dictionary<int, IReadOnlyList<MetricValue>>
        {
            [1] = [Point("slt", 1, "loss", 4.0), Point("slt", 2, "loss", 3.0)],
            [2] = [Point("slt", 1, "loss", 6.0)],
        };

        var band = Assert.Single(GroupView.Bands(settings, metrics));

        Assert.Equal(("", "slt", "loss"), (band.Setting, band.Stage, band.Metric));
        // step 1: mean 5, sample sd √((1 + 1) / 1) = √2; step 2: one run, sd 0
        Assert.Equal([(1L, 5.0, Math.Sqrt(2), 2), (2L, 3.0, 0.0, 1)], band.Points.Select(p => (p.Step, p.Mean, p.Sd, p.Count)));
    }

    [Fact]
    public void ChartSeries_MeanIsTheCurveMeanPlusMinusSdTheBand_StageNamedWhenSeveral()
    {
        var bands = new[]
        {
            new SettingBand("", "slt", "loss", [new BandPoint(1, 5, Math.Sqrt(2), 2), new BandPoint(2, 3, 0, 1)]),
            new SettingBand("", "text", "loss", [new BandPoint(1, 7, 1, 2)]),
            new SettingBand("lr_encoder=1e-3", "slt", "bleu4", [new BandPoint(4, 10, 2, 2)]),
        };

        var loss = GroupView.ChartSeries(bands, "loss");
        var bleu = Assert.Single(GroupView.ChartSeries(bands, "bleu4"));

        Assert.Equal(["(base settings) (slt)", "(base settings) (text)"], loss.Select(s => s.Name));
        Assert.Equal([5.0, 3.0], loss[0].Points.Select(p => p.Y));
        Assert.Equal([5 - Math.Sqrt(2), 3.0], loss[0].Band!.Lower);
        Assert.Equal([5 + Math.Sqrt(2), 3.0], loss[0].Band!.Upper);
        // one stage: the setting alone; validation metrics are drawn as dots
        Assert.Equal(("lr_encoder=1e-3", true, 8.0, 12.0), (bleu.Name, bleu.ShowMarkers, bleu.Band!.Lower[0], bleu.Band.Upper[0]));
        Assert.Empty(GroupView.ChartSeries(bands, "val_loss"));
    }

    [Fact]
    public void Ablation_BothArmsValidated_DifferenceIsPipelineMinusScratch()
    {
        var group = new RunGroupInfo
        {
            Id = 1, Name = "a", Kind = RunGroupKinds.Ablation, CreatedAt = DateTime.UtcNow, Definition = new RunGroupDefinition { Seeds = [1] }, BaseSpec = new PhoenixSlt.Training.Specs.RunSpec(), Runs = [],
            Settings =
            [
                new GroupSetting(RunGroupPlan.PipelineArm, [2], new Dictionary<string, MeanSd> { ["bleu4"] = new(12.5, null, 1) }),
                new GroupSetting(RunGroupPlan.ScratchArm, [1], new Dictionary<string, MeanSd> { ["bleu4"] = new(10.0, null, 1) }),
            ],
        };

        var arms = GroupView.Ablation(group)!;

        Assert.Equal([1], arms.Scratch!.RunIds);
        Assert.Equal(2.5, arms.Bleu4Difference);
        Assert.Equal("+2.50", GroupView.Difference(2.5));
        Assert.Null(GroupView.Ablation(group with { Kind = RunGroupKinds.Seeds }));
        Assert.Null((arms with { Scratch = arms.Scratch with { Metrics = new Dictionary<string, MeanSd>() } }).Bleu4Difference);
    }
}
