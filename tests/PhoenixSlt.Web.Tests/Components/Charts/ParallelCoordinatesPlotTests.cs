using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Components.Charts;

public sealed class ParallelCoordinatesPlotTests
{
    private static readonly ParallelRow A = new(1, "a", [8, 1e-3], 10.5);
    private static readonly ParallelRow B = new(2, "b", [16, 2e-3], 12.0);

    [Fact]
    public void Trace_OneAxisPerSettingThenBleu_ValuesInRowOrder_LinesColouredByBleu()
    {
        var trace = ParallelCoordinatesPlot.Trace(["batch_size", "lr_encoder"], [A, B])!;

        Assert.Equal(["batch_size", "lr_encoder", ParallelCoordinatesPlot.Bleu4Axis], trace.Dimensions.Select(d => d.Label));
        Assert.Equal([8.0, 16.0], trace.Dimensions[0].Values.Cast<double>());
        Assert.Equal([1e-3, 2e-3], trace.Dimensions[1].Values.Cast<double>());
        Assert.Equal([10.5, 12.0], trace.Dimensions[2].Values.Cast<double>());
        Assert.Equal([10.5, 12.0], trace.Line.ColorArray.Cast<double>());
    }

    [Fact]
    public void Trace_RunsWithoutBleuOrAValueAreLeftOut_FewerThanTwoLinesIsNoPlot()
    {
        var noBleu = new ParallelRow(3, "c", [32, 1e-3], null);
        var noValue = new ParallelRow(4, "d", [null, 1e-3], 9);

        Assert.Equal([A, B], ParallelCoordinatesPlot.Drawable([A, noBleu, B, noValue]));
        Assert.Null(ParallelCoordinatesPlot.Trace(["batch_size", "lr_encoder"], [A, noBleu, noValue]));
        Assert.Null(ParallelCoordinatesPlot.Trace([], [A, B]));
    }

    [Fact]
    public void CompareCharts_OneSeriesPerRun_StageNamedOnlyWhenTheRunsMixStages()
    {
        RunCurve[] curves =
        [
            new(1, "a", "slt", "bleu4", [new CurvePoint(10, 4), new CurvePoint(20, 6)]),
            new(2, "b", "slt", "bleu4", [new CurvePoint(10, 5)]),
            new(1, "a", "slt", "loss", [new CurvePoint(1, 3)]),
            new(2, "b", "text", "loss", [new CurvePoint(1, 5)]),
        ];

        var bleu = CompareCharts.Series(curves, "bleu4");
        var loss = CompareCharts.Series(curves, "loss");

        Assert.Equal(["#1 a", "#2 b"], bleu.Select(s => s.Name));
        Assert.All(bleu, s => Assert.True(s.ShowMarkers));
        Assert.Equal([(10.0, 4.0), (20.0, 6.0)], bleu[0].Points.Select(p => (p.X, p.Y)));
        Assert.Equal(["#1 a (slt)", "#2 b (text)"], loss.Select(s => s.Name));
        Assert.All(loss, s => Assert.False(s.ShowMarkers));
        Assert.Empty(CompareCharts.Series(curves, "val_loss"));
    }
}
