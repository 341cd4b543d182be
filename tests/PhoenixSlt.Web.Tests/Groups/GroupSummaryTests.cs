using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Groups;

public sealed class GroupSummaryTests
{
    [Fact]
    public void MeanSd_IsTheSampleStandardDeviation()
    {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32 / 7
        var m = MeanSd.Of([2, 4, 4, 4, 5, 5, 7, 9])!;

        Assert.Equal(5, m.Mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), m.Sd!.Value, 12);
        Assert.Equal(8, m.Count);
        Assert.Null(MeanSd.Of([3])!.Sd);
        Assert.Null(MeanSd.Of([]));
        Assert.Equal("5.00 ± 2.14", m.ToString());
    }

    [Fact]
    public void MetricBand_AtEachStep_MeanAndSdOfTheRunsWithAValueThere()
    {
        IReadOnlyList<(long, double)> a = [(10, 1), (20, 3)];
        IReadOnlyList<(long, double)> b = [(10, 3), (20, 5), (30, 8)];

        var band = MetricBand.Of([a, b]);

        Assert.Equal([10L, 20L, 30L], band.Select(p => p.Step));
        Assert.Equal((2.0, Math.Sqrt(2), 2), (band[0].Mean, band[0].Sd, band[0].Count));
        Assert.Equal((8.0, 0.0, 1), (band[2].Mean, band[2].Sd, band[2].Count));
        Assert.Equal((4 - Math.Sqrt(2), 4 + Math.Sqrt(2)), (band[1].Lower, band[1].Upper));
    }

    [Fact]
    public void Settings_GroupByLabel_MeanSdOfBestMetrics_BestBleuFirst()
    {
        RunInfo Run(int id, string label) => new()
        {
            Id = id, Name = $"r{id}", Phase = "slt", Status = JobStatus.Completed, Dataset = "d", CreatedAt = DateTime.UnixEpoch,
            Device = "cpu", OutputFolder = "/o", GroupId = 1, GroupLabel = label,
        };
        var runs = new[] { Run(1, "a"), Run(2, "a"), Run(3, "b"), Run(4, "b") };
        var best = new Dictionary<int, IReadOnlyDictionary<string, double>>
        {
            [1] = new Dictionary<string, double> { ["bleu4"] = 10, ["chrf"] = 30 },
            [2] = new Dictionary<string, double> { ["bleu4"] = 12, ["chrf"] = 34 },
            [3] = new Dictionary<string, double> { ["bleu4"] = 20 },
            // run 4 has not validated yet
        };

        var settings = GroupSummary.Settings(runs, best);

        Assert.Equal(["b", "a"], settings.Select(s => s.Label));
        Assert.Equal((20.0, (double?)null, 1), (settings[0].Bleu4!.Mean, settings[0].Bleu4!.Sd, settings[0].Bleu4!.Count));
        Assert.Equal([3, 4], settings[0].RunIds);
        Assert.Equal((11.0, Math.Sqrt(2)), (settings[1].Bleu4!.Mean, settings[1].Bleu4!.Sd!.Value));
        Assert.Equal(32.0, settings[1].Metrics["chrf"].Mean);
        Assert.False(settings[0].Metrics.ContainsKey("chrf"));
    }
}

public sealed class GroupComparisonIdsTests
{
    [Theory]
    [InlineData("1,2,2", new[] { 1, 2 }, null)]
    [InlineData("3", new int[0], "at least two groups")]
    [InlineData("1,x", new int[0], "'x' is not a group id")]
    [InlineData("1,2,3,4,5,6,7,8,9,10,11", new int[0], "At most 10 groups")]
    public void ParseIds_DistinctIdsInOrder_OrWhyNot(string text, int[] ids, string? problem)
    {
        var (parsed, message) = PhoenixSlt.Web.Services.Groups.GroupComparison.ParseIds(text);

        Assert.Equal(ids, parsed);
        if (problem is null)
            Assert.Null(message);
        else
            Assert.Contains(problem, message, StringComparison.Ordinal);
    }
}
