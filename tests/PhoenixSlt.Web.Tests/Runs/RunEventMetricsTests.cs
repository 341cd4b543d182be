using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class RunEventMetricsTests
{
    [Fact]
    public void Of_StepEvent_LossLearningRatePerGroupAndThroughputAtItsStep()
    {
        var step = new StepEvent(7, 1, 2.5, new Dictionary<string, double> { ["encoder"] = 1e-4, ["decoder"] = 5e-6 }, 12, 30);

        var points = RunEventMetrics.Of(step);

        Assert.Equal(
            [new EventMetric(7, 1, "loss", 2.5), new EventMetric(7, 1, "lr_encoder", 1e-4), new EventMetric(7, 1, "lr_decoder", 5e-6), new EventMetric(7, 1, "samples_per_s", 12)],
            points);
    }

    [Fact]
    public void Of_StepEventWithoutLossAndNonFiniteValues_LeavesThemOut()
    {
        var step = new StepEvent(3, 0, null, new Dictionary<string, double> { ["encoder"] = double.NaN }, double.PositiveInfinity, null);

        Assert.Empty(RunEventMetrics.Of(step));
    }

    [Fact]
    public void Of_EvalEvent_EveryFiniteMetric()
    {
        var eval = new EvalEvent { Step = 4, Epoch = 2, Metrics = new Dictionary<string, double> { ["val_loss"] = 3.5, ["bleu4"] = 11, ["chrf"] = double.NaN } };

        Assert.Equal([new EventMetric(4, 2, "val_loss", 3.5), new EventMetric(4, 2, "bleu4", 11)], RunEventMetrics.Of(eval));
    }

    [Fact]
    public void Of_OtherEvents_NoPoints()
    {
        Assert.Empty(RunEventMetrics.Of(new CheckpointEvent("/tmp/best", new Dictionary<string, double> { ["bleu4"] = 1 }, true)));
        Assert.Empty(RunEventMetrics.Of(new FinishedEvent("/tmp/best", new Dictionary<string, double> { ["bleu4"] = 1 }) { Step = 2 }));
    }

    [Fact]
    public void RunMetricsModel_Apply_DrawsTheSamePointsAsAreStored()
    {
        var model = new RunMetricsModel();
        var step = new StepEvent(5, 0, 1.5, new Dictionary<string, double> { ["decoder"] = 2e-5 }, 9, null);
        var eval = new EvalEvent { Step = 5, Metrics = new Dictionary<string, double> { ["bleu4"] = 20 } };

        model.Apply("slt", step);
        model.Apply("slt", eval);

        Assert.All(RunEventMetrics.Of(step).Concat(RunEventMetrics.Of(eval)),
            p => Assert.Equal((double)p.Step, Assert.Single(model.Points("slt", p.Name)).X));
        Assert.Equal(20, Assert.Single(model.Bleu4Series("slt")).Points.Single().Y);
        Assert.Equal("decoder", Assert.Single(model.LearningRateSeries("slt")).Name);
    }
}
