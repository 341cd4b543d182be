using System.Globalization;
using Bunit;
using PhoenixSlt.Web.Components.Shared;

namespace PhoenixSlt.Web.Tests.Components.Runs;

public sealed class MetricChartTests : PortalTestContext
{
    [Fact]
    public void NiceTicks_UnitInterval_GivesQuarters()
    {
        // range 1 over 4 gaps: 0.25 is already a nice step (2.5 × 10^-1)
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], MetricChartLayout.NiceTicks(0, 1, 5));
    }

    [Fact]
    public void NiceTicks_LossRange_RoundsOutwardToStepsOfPointTwo()
    {
        // rough step 0.6 / 4 = 0.15 → next nice step 0.2; 3.7 rounds down to 3.6, 4.3 up to 4.4
        Assert.Equal([3.6, 3.8, 4.0, 4.2, 4.4], MetricChartLayout.NiceTicks(3.7, 4.3, 5));
    }

    [Fact]
    public void NiceTicks_IntegerAxisWithRoughStepTwoAndAHalf_UsesWholeSteps()
    {
        Assert.Equal([10, 12, 14, 16, 18, 20], MetricChartLayout.NiceTicks(10, 20, 5, integers: true));
        Assert.Equal([0, 1, 2, 3], MetricChartLayout.NiceTicks(0, 3, 8, integers: true));
    }

    [Theory]
    [InlineData(0.0, 1e-4)]
    [InlineData(2.71, 9.93)]
    [InlineData(-5, 123456)]
    [InlineData(17, 17)]
    public void NiceTicks_AnyRange_EquallySpacedAndCoveringIt(double min, double max)
    {
        double[] ticks = MetricChartLayout.NiceTicks(min, max, 5);

        Assert.True(ticks[0] <= min && ticks[^1] >= max, $"{ticks[0]} … {ticks[^1]} must cover [{min}, {max}]");
        Assert.InRange(ticks.Length, 2, 11);
        double step = ticks[1] - ticks[0];
        for (int i = 1; i < ticks.Length; i++)
            Assert.Equal(step, ticks[i] - ticks[i - 1], 1e-9 * Math.Max(1, Math.Abs(step)));
    }

    [Fact]
    public void Create_AllZerosWithAFloorAtZero_AxisStartsAtZero()
    {
        MetricSeries[] bleu = [new MetricSeries("BLEU-4", [new ChartPoint(5, 0), new ChartPoint(10, 0)])];

        MetricChartLayout floored = MetricChartLayout.Create(bleu, 640, 240, yFloor: 0);
        MetricChartLayout free = MetricChartLayout.Create(bleu, 640, 240);

        Assert.Equal(0, floored.YTicks.Min(t => t.Value));
        Assert.Equal(1, floored.YTicks.Max(t => t.Value));
        Assert.Equal(-1, free.YTicks.Min(t => t.Value));                      // without a floor: ±1 around the flat line
    }

    [Fact]
    public void Create_FloorBelowTheData_AxisFromTheFloorToAboveTheData()
    {
        MetricSeries[] bleu = [new MetricSeries("BLEU-4", [new ChartPoint(1, 12), new ChartPoint(2, 18)])];

        MetricChartLayout layout = MetricChartLayout.Create(bleu, 640, 240, yFloor: 0);

        Assert.True(layout.YTicks.Min(t => t.Value) >= 0, "no tick below the floor");
        Assert.True(layout.YTicks.Max(t => t.Value) >= 18, "the data is covered");
    }

    [Fact]
    public void Create_DataBelowTheFloor_StillShown()
    {
        MetricSeries[] series = [new MetricSeries("x", [new ChartPoint(1, -3), new ChartPoint(2, 5)])];

        MetricChartLayout layout = MetricChartLayout.Create(series, 640, 240, yFloor: 0);

        Assert.True(layout.YTicks.Min(t => t.Value) <= -3);
    }

    [Fact]
    public void Downsample_LongNoisyCurveWithASpike_KeepsEndsSpikeAndTheBudget()
    {
        ChartPoint[] points = [.. Enumerable.Range(0, 10_000).Select(i => new ChartPoint(i, Math.Sin(i / 50.0)))];
        points[6_543] = new ChartPoint(6_543, 42);

        IReadOnlyList<ChartPoint> shown = MetricChartLayout.Downsample(points, 200);

        Assert.InRange(shown.Count, 100, 200);
        Assert.Equal(points[0], shown[0]);
        Assert.Equal(points[^1], shown[^1]);
        Assert.Contains(new ChartPoint(6_543, 42), shown);
        Assert.Equal(points.Min(p => p.Y), shown.Min(p => p.Y));
        Assert.True(shown.Zip(shown.Skip(1)).All(pair => pair.First.X < pair.Second.X), "points stay in x order");
    }

    [Fact]
    public void Downsample_ShortCurve_Unchanged()
    {
        ChartPoint[] points = [new(1, 2), new(2, 1), new(3, 0.5)];

        Assert.Same(points, MetricChartLayout.Downsample(points, 500));
    }

    [Fact]
    public void Create_TwoSeriesOnOneStepAxis_MapsExtremesToThePlotEdges()
    {
        MetricSeries train = new("loss", [new(10, 4.0), new(20, 3.0), new(30, 2.0)]);
        MetricSeries val = new("val_loss", [new(30, 2.5)], ShowMarkers: true);

        MetricChartLayout layout = MetricChartLayout.Create([train, val], 640, 240);

        Assert.Equal("M" + Coord(layout.PlotLeft), layout.Series[0].Path.Split(' ')[0]);
        Assert.Equal(3, layout.Series[0].Path.Count(c => c is 'M' or 'L'));
        (double x, _, ChartPoint point) = Assert.Single(layout.Series[1].Markers);
        Assert.Equal(layout.PlotRight, x, 1e-9);
        Assert.Equal(new ChartPoint(30, 2.5), point);
        // y ticks cover 2 … 4 with nice values, the lowest at the bottom of the plot
        Assert.True(layout.YTicks[0].Value <= 2 && layout.YTicks[^1].Value >= 4);
        Assert.Equal(layout.PlotBottom, layout.YTicks[0].Position, 1e-9);
    }

    [Fact]
    public void Create_NonFinitePoints_AreLeftOut()
    {
        MetricSeries series = new("loss", [new(1, 3), new(2, double.NaN), new(3, double.PositiveInfinity), new(4, 2)]);

        MetricChartLayout layout = MetricChartLayout.Create([series], 640, 240);

        Assert.Equal(2, layout.Series[0].PointCount);
    }

    [Fact]
    public void Render_SeriesWithPoints_DrawsOnePathPerSeriesAndTheLatestValues()
    {
        MetricSeries train = new("loss", [new(10, 4.25), new(20, 3.5)]);
        MetricSeries val = new("val_loss", [new(20, 3.75)], ShowMarkers: true);

        IRenderedComponent<MetricChart> cut = Render<MetricChart>(p => p
            .Add(c => c.Title, "Loss")
            .Add(c => c.TestId, "loss-chart")
            .Add(c => c.Series, [train, val]));

        Assert.Equal("2", cut.Find("path[data-series=loss]").GetAttribute("data-points"));
        Assert.Equal("1", cut.Find("path[data-series=val_loss]").GetAttribute("data-points"));
        Assert.Single(cut.FindAll("circle.marker"));
        Assert.Equal("3.5 @ 20", cut.Find("[data-testid=loss-chart-latest-loss]").TextContent);
        Assert.Equal("3.75 @ 20", cut.Find("[data-testid=loss-chart-latest-val_loss]").TextContent);
    }

    [Fact]
    public void Render_NoPoints_ShowsTheEmptyText()
    {
        IRenderedComponent<MetricChart> cut = Render<MetricChart>(p => p
            .Add(c => c.Title, "BLEU-4")
            .Add(c => c.EmptyText, "No evaluation yet.")
            .Add(c => c.Series, [new MetricSeries("bleu4", [])]));

        Assert.Empty(cut.FindAll("svg"));
        Assert.Contains("No evaluation yet.", cut.Markup);
    }

    private static string Coord(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
