using Bunit;
using PhoenixSlt.Web.Components.Shared;

namespace PhoenixSlt.Web.Tests.Components.Charts;

/// The chart component rendered with loose JS interop (no Plotly in bUnit): its legend, switches and what it asks
/// Plotly to draw.
public sealed class MetricChartTests : PortalTestContext
{
    private static readonly MetricSeries Train = new("loss", [new(10, 4.25), new(20, 3.5)]);
    private static readonly MetricSeries Val = new("val_loss", [new(20, 3.75)], ShowMarkers: true);

    private IRenderedComponent<MetricChart> RenderLoss(params MetricSeries[] series) => Render<MetricChart>(p => p
        .Add(c => c.Title, "Loss")
        .Add(c => c.TestId, "loss-chart")
        .Add(c => c.Series, series));

    [Fact]
    public void Render_SeriesWithPoints_LegendWithPointCountsAndLatestValuesAndAPlot()
    {
        IRenderedComponent<MetricChart> cut = RenderLoss(Train, Val);

        Assert.Equal("2", cut.Find(".legend-item[data-series=loss]").GetAttribute("data-points"));
        Assert.Equal("1", cut.Find(".legend-item[data-series=val_loss]").GetAttribute("data-points"));
        Assert.Equal("3.5 @ 20", cut.Find("[data-testid=loss-chart-latest-loss]").TextContent);
        Assert.Equal("3.75 @ 20", cut.Find("[data-testid=loss-chart-latest-val_loss]").TextContent);
        Assert.Single(cut.FindAll("[data-testid=loss-chart-plot]"));
    }

    [Fact]
    public void Render_NoPoints_ShowsTheEmptyTextAndNoPlot()
    {
        IRenderedComponent<MetricChart> cut = Render<MetricChart>(p => p
            .Add(c => c.Title, "BLEU-4")
            .Add(c => c.TestId, "bleu-chart")
            .Add(c => c.EmptyText, "No evaluation yet.")
            .Add(c => c.Series, [new MetricSeries("bleu4", [])]));

        Assert.Empty(cut.FindAll("[data-testid=bleu-chart-plot]"));
        Assert.Empty(cut.FindAll("[data-testid=bleu-chart-log]"));
        Assert.Contains("No evaluation yet.", cut.Markup);
        Assert.Equal("–", cut.Find("[data-testid=bleu-chart-latest-bleu4]").TextContent);
    }

    [Fact]
    public void LogSwitch_Clicked_ChartTurnsLogAndPlotlyIsAskedToRedraw()
    {
        IRenderedComponent<MetricChart> cut = RenderLoss(Train, Val);
        Assert.Equal("false", cut.Find("[data-testid=loss-chart]").GetAttribute("data-log-y"));
        int reactsBefore = Reacts();

        cut.Find("input[data-testid=loss-chart-log]").Change(true);

        Assert.Equal("true", cut.Find("[data-testid=loss-chart]").GetAttribute("data-log-y"));
        cut.WaitForAssertion(() => Assert.Equal(reactsBefore + 1, Reacts()));
    }

    [Fact]
    public void LogSwitch_NoValueAboveZero_Disabled()
    {
        IRenderedComponent<MetricChart> cut = RenderLoss(new MetricSeries("bleu4", [new(10, 0)], ShowMarkers: true));

        Assert.True(cut.Find("input[data-testid=loss-chart-log]").HasAttribute("disabled"));
    }

    [Fact]
    public void SmoothingSlider_Moved_WeightShownAndPlotlyIsAskedToRedraw()
    {
        IRenderedComponent<MetricChart> cut = RenderLoss(Train, Val);
        Assert.Equal("0", cut.Find("[data-testid=loss-chart]").GetAttribute("data-smoothing"));
        int reactsBefore = Reacts();

        cut.Find("[data-testid=loss-chart-smoothing]").Change("0.6");

        Assert.Equal("0.6", cut.Find("[data-testid=loss-chart]").GetAttribute("data-smoothing"));
        Assert.Equal("0.60", cut.Find(".smoothing-value").TextContent);
        cut.WaitForAssertion(() => Assert.Equal(reactsBefore + 1, Reacts()));
    }

    [Fact]
    public void Rerender_SameSeries_NothingSentToPlotly()
    {
        IRenderedComponent<MetricChart> cut = RenderLoss(Train, Val);
        int reactsBefore = Reacts();

        cut.Render(p => p.Add(c => c.Series, [Train with { }, Val with { }]));   // e.g. the page's clock tick

        Assert.Equal(reactsBefore, Reacts());
    }

    [Fact]
    public void Rerender_SeriesGrew_PlotUpdatedInPlace()
    {
        IRenderedComponent<MetricChart> cut = RenderLoss(Train);
        int reactsBefore = Reacts();

        cut.Render(p => p.Add(c => c.Series, [new MetricSeries("loss", [.. Train.Points, new(30, 3.0)])]));

        cut.WaitForAssertion(() => Assert.Equal(reactsBefore + 1, Reacts()));
        Assert.Equal("3 @ 30", cut.Find("[data-testid=loss-chart-latest-loss]").TextContent);
        Assert.Equal(1, NewPlots()); // created once, never re-created
    }

    private int Reacts() => PlotlyCalls("react");

    private int NewPlots() => PlotlyCalls("newPlot");

    private int PlotlyCalls(string function)
        => JSInterop.Invocations.Count(i => i.Identifier == function);
}
