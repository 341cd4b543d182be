using PhoenixSlt.Web.Services.Groups;

namespace PhoenixSlt.Web.Tests.Groups;

public sealed class SweepPlanTests
{
    private static SweepParameter Values(string field, params string[] values) => new() { Field = field, Values = values };

    [Fact]
    public void Expand_Grid_IsTheCartesianProductInParameterOrder()
    {
        var sweep = new SweepDefinition { Parameters = [Values("lr_encoder", "1e-3", "2e-3"), Values("batch_size", "8", "16", "32")] };

        var (points, problems) = SweepPlan.Expand(sweep);

        Assert.Empty(problems);
        // 2 × 3 points, the last parameter varying fastest
        Assert.Equal(
            ["lr_encoder=1e-3, batch_size=8", "lr_encoder=1e-3, batch_size=16", "lr_encoder=1e-3, batch_size=32",
             "lr_encoder=2e-3, batch_size=8", "lr_encoder=2e-3, batch_size=16", "lr_encoder=2e-3, batch_size=32"],
            points.Select(p => p.Label));
    }

    [Fact]
    public void Expand_Random_DrawsCountPointsInsideTheRangesDeterministically()
    {
        var sweep = new SweepDefinition
        {
            Mode = SweepModes.Random,
            Count = 20,
            DrawSeed = 7,
            Parameters = [new SweepParameter { Field = "lr_encoder", Min = 1e-4, Max = 1e-2, Log = true }, new SweepParameter { Field = "batch_size", Min = 4, Max = 32 }, Values("dropout", "0", "0.1")],
        };

        var (points, problems) = SweepPlan.Expand(sweep);
        var again = SweepPlan.Expand(sweep).Points;

        Assert.Empty(problems);
        Assert.Equal(20, points.Count);
        Assert.Equal(points.Select(p => p.Label), again.Select(p => p.Label));
        foreach (var point in points)
        {
            var settings = point.Settings.ToDictionary(s => s.Key, s => s.Value);
            double lr = double.Parse(settings["lr_encoder"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(lr, 1e-4, 1e-2);
            // a whole-number field gets whole numbers
            Assert.InRange(int.Parse(settings["batch_size"], System.Globalization.CultureInfo.InvariantCulture), 4, 32);
            Assert.Contains(settings["dropout"], new[] { "0", "0.1" });
        }
    }

    [Fact]
    public void Draw_Log_SpreadsOverDecadesEvenly()
    {
        // log-uniform on [1e-4, 1e-2]: half of the draws fall below the geometric middle 1e-3
        var random = new Random(3);
        var draws = Enumerable.Range(0, 4000).Select(_ => SweepPlan.Draw(random, 1e-4, 1e-2, log: true)).ToList();

        Assert.All(draws, d => Assert.InRange(d, 1e-4, 1e-2));
        Assert.InRange(draws.Count(d => d < 1e-3) / 4000.0, 0.45, 0.55);
    }

    [Theory]
    [InlineData("no_such_setting", "1", "not a run-spec setting")]
    [InlineData("seed", "1", "cannot be swept")]
    [InlineData("data", "x", "cannot be swept")]
    [InlineData("batch_size", "0", "batch_size")]
    [InlineData("lr_encoder", "fast", "not a number")]
    public void Expand_BadParameters_AreNamed(string field, string value, string expected)
    {
        var (points, problems) = SweepPlan.Expand(new SweepDefinition { Parameters = [Values(field, value)] });

        Assert.Empty(points);
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Expand_GridLargerThanTheLimit_OrRangeInAGrid_OrRandomWithoutCount_AreRefused()
    {
        string[] nine = [.. Enumerable.Range(1, 9).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Contains("at most", Assert.Single(SweepPlan.Expand(new SweepDefinition { Parameters = [Values("batch_size", nine), Values("epochs", nine)] }).Problems), StringComparison.Ordinal);
        Assert.NotEmpty(SweepPlan.Expand(new SweepDefinition { Parameters = [new SweepParameter { Field = "lr_encoder", Min = 1e-4, Max = 1e-3 }] }).Problems);
        Assert.NotEmpty(SweepPlan.Expand(new SweepDefinition { Mode = SweepModes.Random, Parameters = [Values("batch_size", "8")] }).Problems);
        Assert.NotEmpty(SweepPlan.Expand(new SweepDefinition { Mode = SweepModes.Random, Count = 2, Parameters = [new SweepParameter { Field = "lr_encoder", Min = 0, Max = 1e-3, Log = true }] }).Problems);
        Assert.NotEmpty(SweepPlan.Expand(new SweepDefinition { Parameters = [Values("batch_size", "8"), Values("batch_size", "16")] }).Problems);
    }
}
