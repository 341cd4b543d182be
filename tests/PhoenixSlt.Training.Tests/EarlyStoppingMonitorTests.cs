namespace PhoenixSlt.Training.Tests;

public sealed class EarlyStoppingMonitorTests
{
    [Fact]
    public void Update_HigherIsBetter_StopsAfterPatienceEvaluationsWithoutImprovement()
    {
        var monitor = new EarlyStoppingMonitor("bleu4", higherIsBetter: true, patience: 2);

        var decisions = new[] { 10.0, 12.0, 11.0, 12.0, 13.0, 5.0, 6.0 }.Select((v, i) => monitor.Update(v, step: 100 * (i + 1))).ToArray();

        Assert.Equal([true, true, false, false, true, false, false], decisions.Select(d => d.IsBest).ToArray());
        // 12 after 12 is not an improvement; the second miss in a row stops (index 3), then 13 resets the count.
        Assert.Equal([false, false, false, true, false, false, true], decisions.Select(d => d.ShouldStop).ToArray());
        Assert.Equal(13.0, monitor.Best!.Value);
        Assert.Equal(500, monitor.Best.Step);
    }

    [Fact]
    public void Update_LowerIsBetter_KeepsTheLowestLoss()
    {
        var monitor = new EarlyStoppingMonitor("val_loss", higherIsBetter: false, patience: 3);

        monitor.Update(2.5, 1);
        var worse = monitor.Update(2.6, 2);
        var better = monitor.Update(1.9, 3);

        Assert.False(worse.IsBest);
        Assert.True(better.IsBest);
        Assert.Equal(1.9, monitor.Best!.Value);
        Assert.False(monitor.Best.HigherIsBetter);
        Assert.Equal(0, monitor.EvaluationsWithoutImprovement);
    }

    [Fact]
    public void Update_NaN_NeverImprovesAndCountsAsAMiss()
    {
        var monitor = new EarlyStoppingMonitor("bleu4", true, patience: 2);

        var first = monitor.Update(double.NaN, 1);
        var second = monitor.Update(double.NaN, 2);

        Assert.False(first.IsBest);
        Assert.Null(monitor.Best);
        Assert.True(second.ShouldStop);
    }

    [Fact]
    public void Update_NoPatience_NeverStops()
    {
        var monitor = new EarlyStoppingMonitor("bleu4", true, patience: null);

        var decisions = Enumerable.Range(0, 50).Select(i => monitor.Update(1.0, i)).ToList();

        Assert.DoesNotContain(decisions, d => d.ShouldStop);
        Assert.Equal(49, monitor.EvaluationsWithoutImprovement);
    }

    [Fact]
    public void Update_MinDelta_SmallGainsAreNotImprovements()
    {
        var monitor = new EarlyStoppingMonitor("bleu4", true, patience: 5, minDelta: 0.5);

        monitor.Update(10.0, 1);
        var small = monitor.Update(10.4, 2);
        var large = monitor.Update(10.6, 3);

        Assert.False(small.IsBest);
        Assert.True(large.IsBest);
    }

    [Fact]
    public void Restore_SavedCounter_StopsAtTheSamePointAsAnUninterruptedRun()
    {
        var uninterrupted = new EarlyStoppingMonitor("bleu4", true, patience: 3);
        uninterrupted.Update(5, 1);
        uninterrupted.Update(4, 2);
        var resumed = new EarlyStoppingMonitor("bleu4", true, patience: 3);
        resumed.Restore(uninterrupted.Best, uninterrupted.EvaluationsWithoutImprovement);

        Assert.Equal(uninterrupted.Update(4, 3), resumed.Update(4, 3));
        Assert.Equal(uninterrupted.Update(4, 4), resumed.Update(4, 4));
        Assert.True(resumed.Stopped);
    }

    [Fact]
    public void Restore_OtherMetric_Throws()
    {
        var monitor = new EarlyStoppingMonitor("bleu4", true, patience: 3);

        Assert.Throws<ArgumentException>(() => monitor.Restore(new Core.Checkpoints.BestMetric("val_loss", 1.0, 3, false), 0));
    }
}
