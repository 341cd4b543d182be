using PhoenixSlt.Web.Components.Shared;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using YAxisType = Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum;

namespace PhoenixSlt.Web.Tests.Components.Charts;

public sealed class MetricChartPlotTests
{
    private static ChartView View(double smoothing = 0, bool logY = false, ChartYScale scale = ChartYScale.Auto)
        => new(smoothing, logY, scale, "step", 260);

    private static double[] Ys(Scatter trace) => [.. trace.Y.Select(Convert.ToDouble)];

    [Fact]
    public void Traces_NoSmoothing_OneNamedTracePerSeriesWithItsPoints()
    {
        MetricSeries train = new("train loss", [new(10, 4.0), new(20, 3.0)]);
        MetricSeries val = new("val loss", [new(20, 3.5)], ShowMarkers: true);

        List<ITrace> traces = MetricChartPlot.Traces([train, val], View());

        Assert.Equal(["train loss", "val loss"], traces.Cast<Scatter>().Select(t => t.Name));
        Scatter first = (Scatter)traces[0];
        Assert.Equal([10.0, 20.0], first.X.Select(Convert.ToDouble));
        Assert.Equal([4.0, 3.0], Ys(first));
        Assert.Equal(ModeFlag.Lines | ModeFlag.Markers, ((Scatter)traces[1]).Mode);
        Assert.Equal(MetricChartPlot.Palette[1], ((Scatter)traces[1]).Line.Color);
    }

    [Fact]
    public void Traces_Smoothing_RawCurveFaintWithoutHoverBehindTheSmoothedOne()
    {
        MetricSeries train = new("train loss", [new(1, 1), new(2, 3), new(3, 5)]);

        List<ITrace> traces = MetricChartPlot.Traces([train], View(smoothing: 0.5));

        Assert.Equal(2, traces.Count);
        var raw = (Scatter)traces[0];
        var smoothed = (Scatter)traces[1];
        Assert.Equal([1.0, 3.0, 5.0], Ys(raw));
        Assert.Equal((decimal)MetricChartPlot.RawOpacity, raw.Opacity);
        Assert.Equal(HoverInfoFlag.Skip, raw.HoverInfo);
        Assert.Equal("train loss", smoothed.Name);
        Assert.Equal(MetricChartPlot.HoverText, smoothed.HoverTemplate);
        Assert.Null(raw.HoverTemplate);
        Assert.Equal(raw.Line.Color, smoothed.Line.Color);
        double[] expected = [1, 7.0 / 3, 27.0 / 7]; // the debiased average by hand, see ChartSmoothingTests
        Assert.All(Ys(smoothed).Zip(expected), pair => Assert.Equal(pair.Second, pair.First, 12));
    }

    [Fact]
    public void Traces_SmoothingAndAMarkerSeries_MarkerSeriesDrawnAsItIs()
    {
        MetricSeries bleu = new("BLEU-4", [new(10, 5), new(20, 15)], ShowMarkers: true);

        List<ITrace> traces = MetricChartPlot.Traces([bleu], View(smoothing: 0.9));

        Assert.Equal([5.0, 15.0], Ys((Scatter)Assert.Single(traces)));
    }

    [Fact]
    public void Traces_Band_LowerThenUpperFilledDownToItThenTheCurve()
    {
        MetricSeries mean = new("group", [new(1, 10), new(2, 12)], Band: new SeriesBand([8, 11], [12, 13]));

        List<ITrace> traces = MetricChartPlot.Traces([mean], View());

        Assert.Equal(3, traces.Count);
        var lower = (Scatter)traces[0];
        var upper = (Scatter)traces[1];
        Assert.Equal([8.0, 11.0], Ys(lower));
        Assert.Equal([12.0, 13.0], Ys(upper));
        Assert.Equal(FillEnum.ToNextY, upper.Fill);
        Assert.Equal("rgba(78,121,167,0.2)", upper.FillColor); // palette[0] #4e79a7 at BandOpacity
        Assert.Equal(HoverInfoFlag.Skip, upper.HoverInfo);
        Assert.Equal("group", ((Scatter)traces[2]).Name);
    }

    [Fact]
    public void MetricSeries_BandOfAnotherLength_ThrowsNamingTheSeries()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new MetricSeries("group", [new(1, 10), new(2, 12)], Band: new SeriesBand([8], [12, 13])));

        Assert.Contains("'group'", error.Message);
        Assert.Contains("1 lower and 2 upper values for 2 points", error.Message);
    }

    [Fact]
    public void Traces_NonFinitePointsAndEmptySeries_LeftOut()
    {
        MetricSeries loss = new("loss", [new(1, 3), new(2, double.NaN), new(3, double.PositiveInfinity), new(4, 2)]);
        MetricSeries none = new("none", []);

        List<ITrace> traces = MetricChartPlot.Traces([loss, none], View());

        Assert.Equal([3.0, 2.0], Ys((Scatter)Assert.Single(traces)));
    }

    [Fact]
    public void Traces_LongCurve_AtMostTheBudgetPerTrace()
    {
        MetricSeries loss = new("loss", [.. Enumerable.Range(0, 5_000).Select(i => new ChartPoint(i, 1.0 / (i + 1)))]);

        var trace = (Scatter)Assert.Single(MetricChartPlot.Traces([loss], View()));

        Assert.InRange(trace.Y.Count, 2, MetricChartPlot.MaxPointsPerTrace);
        Assert.Equal(1.0, Ys(trace)[0]);
        Assert.Equal(4_999.0, Convert.ToDouble(trace.X[^1]));
    }

    [Fact]
    public void BuildLayout_PercentBleuAllZero_FixedRangeZeroToHundredWithUnifiedHover()
    {
        MetricSeries bleu = new("BLEU-4", [new(5, 0), new(10, 0)], ShowMarkers: true);

        var layout = MetricChartPlot.BuildLayout([bleu], View(scale: ChartYScale.Percent));

        Assert.Equal([0.0, 100.0], layout.YAxis[0].Range.Select(Convert.ToDouble));
        Assert.Equal(YAxisType.Linear, layout.YAxis[0].Type);
        Assert.Equal(Plotly.Blazor.LayoutLib.HoverModeEnum.XUnified, layout.HoverMode);
        Assert.Equal("step", layout.XAxis[0].Title.Text);
    }

    [Fact]
    public void BuildLayout_LogY_LogAxisAutorangedAndANewUiRevision()
    {
        MetricSeries loss = new("loss", [new(1, 4), new(2, 0.5)]);

        var linear = MetricChartPlot.BuildLayout([loss], View());
        var log = MetricChartPlot.BuildLayout([loss], View(logY: true));

        Assert.Equal(YAxisType.Log, log.YAxis[0].Type);
        Assert.Null(log.YAxis[0].Range);
        Assert.NotEqual(linear.UiRevision, log.UiRevision); // switching the axis type resets the reader's zoom
    }

    [Fact]
    public void BuildLayout_LogYWithoutPositiveValues_StaysLinear()
    {
        MetricSeries bleu = new("BLEU-4", [new(5, 0)]);

        var layout = MetricChartPlot.BuildLayout([bleu], View(logY: true, scale: ChartYScale.Percent));

        Assert.Equal(YAxisType.Linear, layout.YAxis[0].Type);
    }

    [Fact]
    public void Downsample_LongNoisyCurveWithASpike_KeepsEndsSpikeAndTheBudget()
    {
        ChartPoint[] points = [.. Enumerable.Range(0, 10_000).Select(i => new ChartPoint(i, Math.Sin(i / 50.0)))];
        points[6_543] = new ChartPoint(6_543, 42);

        ChartPoint[] shown = [.. MetricChartPlot.Downsample(points, 200).Select(i => points[i])];

        Assert.InRange(shown.Length, 100, 200);
        Assert.Equal(points[0], shown[0]);
        Assert.Equal(points[^1], shown[^1]);
        Assert.Contains(new ChartPoint(6_543, 42), shown);
        Assert.Equal(points.Min(p => p.Y), shown.Min(p => p.Y));
        Assert.True(shown.Zip(shown.Skip(1)).All(pair => pair.First.X < pair.Second.X), "points stay in x order");
    }

    [Fact]
    public void Downsample_ShortCurve_EveryIndex()
    {
        Assert.Equal([0, 1, 2], MetricChartPlot.Downsample([new(1, 2), new(2, 1), new(3, 0.5)], 500));
    }

    [Theory]
    [InlineData("#ff8000", 0.5, "rgba(255,128,0,0.5)")]
    [InlineData("red", 0.5, "red")]
    public void Translucent_HexColour_BecomesRgba(string color, double alpha, string expected)
    {
        Assert.Equal(expected, MetricChartPlot.Translucent(color, alpha));
    }
}
