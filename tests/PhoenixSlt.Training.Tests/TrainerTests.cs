using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training.Amp;
using PhoenixSlt.Training.Events;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests;

[Collection(SerialTrainingCollection.Name)]
public sealed class TrainerTests
{
    private static readonly int[][] FourPairs = [[0, 1], [2, 3], [4, 5], [6, 7]];
    private static readonly int[][] TwoQuads = [[0, 1, 2, 3], [4, 5, 6, 7]];

    /// Two micro-batches of 2 accumulated must give the update of one batch of 4. Justification: the loss is a mean
    /// over samples of equal weight (2 outputs each) and the model has no batch-dependent layer, so
    /// ∇ mean₄ = ½ (∇ mean₂⁽¹⁾ + ∇ mean₂⁽²⁾) exactly — which is what dividing each micro-batch loss by A = 2 and
    /// summing the gradients computes. Adam is nearly invariant to the gradient's scale, so eps = 1 makes the update
    /// depend on it: a loop that forgot to divide by A (or stepped per micro-batch, or dropped a micro-batch's
    /// gradient) would end with different parameters.
    [Theory]
    [InlineData(null)]
    [InlineData(0.05)]   // clipping active: it must see the accumulated gradient, not a micro-batch's
    public void Run_AccumulatedMicroBatches_MatchOneBatchOfTheirUnion(double? maxGradNorm)
    {
        var options = new TrainerOptions { MaxSteps = 2, WarmupSteps = 0, DefaultLearningRate = 0.1, Epsilon = 1.0, WeightDecay = 0.01, MaxGradNorm = maxGradNorm, LogEvery = 1 };
        using var accumulated = new RegressionTask(_ => FourPairs);
        using var whole = new RegressionTask(_ => TwoQuads);
        var accumulatedEvents = new RecordingProgressSink();
        var wholeEvents = new RecordingProgressSink();

        new Trainer(accumulated, options with { Accumulate = 2 }, sink: accumulatedEvents).Run();
        new Trainer(whole, options, sink: wholeEvents).Run();

        AssertClose(whole.Linear.weight!, accumulated.Linear.weight!);
        AssertClose(whole.Linear.bias!, accumulated.Linear.bias!);
        Assert.False(accumulated.Linear.weight!.allclose(new RegressionTask(_ => FourPairs).Linear.weight!), "training changed the weights");
        // the logged loss of a step is the mean over its micro-batches, i.e. the loss of the whole batch
        var accumulatedLosses = accumulatedEvents.Events.OfType<StepEvent>().Select(e => e.Loss!.Value).ToArray();
        var wholeLosses = wholeEvents.Events.OfType<StepEvent>().Select(e => e.Loss!.Value).ToArray();
        Assert.Equal(wholeLosses.Length, accumulatedLosses.Length);
        for (int i = 0; i < wholeLosses.Length; i++)
            Assert.Equal(wholeLosses[i], accumulatedLosses[i], 5);
    }

    [Fact]
    public void Run_ZeroGradients_DecaysOnlyMatricesByLearningRateTimesDecay()
    {
        using var task = new RegressionTask(_ => TwoQuads, zeroLoss: true);
        using var weightBefore = task.Linear.weight!.detach().clone();
        using var biasBefore = task.Linear.bias!.detach().clone();
        var options = new TrainerOptions { MaxSteps = 2, WarmupSteps = 0, DefaultLearningRate = 0.1, WeightDecay = 0.5, MaxGradNorm = null };

        new Trainer(task, options).Run();

        // AdamW: w ← w (1 − lr · wd) each step; steps 0 and 1 have lr = 0.1 · At(0) = 0.1 and 0.1 · At(1) = 0.1 · ½(1 + cos(π/2)) = 0.05
        using var expected = weightBefore * ((1 - 0.1 * 0.5) * (1 - 0.05 * 0.5));
        AssertClose(expected, task.Linear.weight!);
        AssertClose(biasBefore, task.Linear.bias!);   // 1-D parameters are not decayed
    }

    [Fact]
    public void Run_TwoGroups_StepEventsCarryEachGroupsScheduledRate()
    {
        using var task = new RegressionTask(_ => FourPairs);
        var sink = new RecordingProgressSink();
        var options = new TrainerOptions
        {
            MaxSteps = 6,
            WarmupSteps = 2,
            LearningRates = new Dictionary<string, double> { ["encoder"] = 1e-2, ["decoder"] = 1e-4 },
            LogEvery = 1,
        };

        new Trainer(task, options, sink: sink).Run();

        var schedule = new LearningRateSchedule(2, 6);
        var steps = sink.Events.OfType<StepEvent>().ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], steps.Select(s => s.Step).ToArray());
        foreach (var step in steps)
        {
            Assert.Equal(1e-2 * schedule.At(step.Step - 1), step.Lr["encoder"], 12);
            Assert.Equal(1e-4 * schedule.At(step.Step - 1), step.Lr["decoder"], 12);
        }
        Assert.Equal([0, 0, 0, 0, 1, 1], steps.Select(s => s.Epoch).ToArray());   // 4 micro-batches per epoch, one per step
    }

    [Fact]
    public void Run_PatienceExhausted_StopsWithAnEarlyStopEvent()
    {
        using var task = new RegressionTask(_ => TwoQuads, validation: [5.0, 4.0, 4.5, 4.6, 1.0]);
        var sink = new RecordingProgressSink();
        var options = new TrainerOptions { MaxSteps = 100, EvalEverySteps = 1, Patience = 2 };

        var result = new Trainer(task, options, sink: sink).Run();

        Assert.True(result.EarlyStopped);
        Assert.Equal(4, result.Steps);
        Assert.Equal(4, task.Validations);
        var stop = Assert.Single(sink.Events.OfType<EarlyStopEvent>());
        Assert.Equal(4, stop.Step);
        Assert.Equal(new BestValue(RegressionTask.MetricName, 4.0, 2, false), stop.Best);
        Assert.IsType<FinishedEvent>(sink.Events[^1]);
    }

    [Fact]
    public void Run_NoEvalInterval_ValidatesAtEveryEpochEnd()
    {
        using var task = new RegressionTask(_ => FourPairs);
        var sink = new RecordingProgressSink();

        var result = new Trainer(task, new TrainerOptions { Epochs = 3, Accumulate = 2 }, sink: sink).Run();

        Assert.Equal(6, result.Steps);   // 4 micro-batches / 2 per step = 2 steps per epoch
        Assert.Equal([2L, 4L, 6L], sink.Events.OfType<EvalEvent>().Select(e => e.Step).ToArray());
        Assert.Equal([0, 1, 2], sink.Events.OfType<EvalEvent>().Select(e => e.Epoch).ToArray());
    }

    [Fact]
    public void Run_CheckpointDir_WritesBestWhenImprovedAndLastEveryValidation()
    {
        using var temp = new TempFolder();
        using var task = new RegressionTask(_ => TwoQuads, validation: [5.0, 6.0, 4.0]);
        var sink = new RecordingProgressSink();
        var options = new TrainerOptions { MaxSteps = 3, EvalEverySteps = 1, CheckpointDir = temp.Path, ParentCheckpoint = "/somewhere/vlp/best" };

        var result = new Trainer(task, options, sink: sink).Run();

        var checkpoints = sink.Events.OfType<CheckpointEvent>().Select(e => (Path.GetFileName(e.Path), e.IsBest)).ToArray();
        Assert.Equal([("best", true), ("last", false), ("last", false), ("best", true), ("last", false)], checkpoints);
        var best = CheckpointMetadata.Load(temp.Combine("best"));
        Assert.Equal(3, best.Step);
        Assert.Equal(4.0, best.Metrics[RegressionTask.MetricName]);
        Assert.Equal(new BestMetric(RegressionTask.MetricName, 4.0, 3, false), best.BestMetric);
        Assert.Equal("/somewhere/vlp/best", best.ParentCheckpoint);
        Assert.False(TrainerCheckpoint.Exists(temp.Combine("best")));
        Assert.True(TrainerCheckpoint.Exists(temp.Combine("last")));
        using var state = TrainerCheckpoint.Load(temp.Combine("last"))!;
        Assert.Equal(3, state.State.Step);
        Assert.Equal("adamw", state.State.Optimizer!.Kind);
        Assert.Equal(temp.Combine("best"), result.BestCheckpoint);
        Assert.Equal(temp.Combine("best"), Assert.IsType<FinishedEvent>(sink.Events[^1]).BestCheckpoint);
    }

    [Fact]
    public void Run_Fp16WithAnInfiniteLoss_SkipsThatStepAndHalvesTheScale()
    {
        using var temp = new TempFolder();
        using var task = new RegressionTask(_ => TwoQuads, validation: [1.0]);
        task.PoisonedCalls.Add(0);
        using var weightBefore = task.Linear.weight!.detach().clone();
        var options = new TrainerOptions { MaxSteps = 1, WarmupSteps = 0, Amp = AmpMode.Fp16, CheckpointDir = temp.Path };

        new Trainer(task, options).Run();

        AssertClose(weightBefore, task.Linear.weight!, atol: 0);
        using var state = TrainerCheckpoint.Load(temp.Combine("last"))!;
        Assert.Equal(65536.0 * 0.5, state.State.Scaler!.Scale);   // default initial scale, backoff 0.5
        Assert.Equal(1, state.State.Extra["skipped_steps"]);
        Assert.Equal([ScalarType.Float16], task.AutocastInLoss);
    }

    [Fact]
    public void Run_Fp16CleanSteps_Train()
    {
        using var task = new RegressionTask(_ => TwoQuads);
        using var weightBefore = task.Linear.weight!.detach().clone();

        new Trainer(task, new TrainerOptions { MaxSteps = 2, Amp = AmpMode.Fp16 }).Run();

        Assert.False(weightBefore.allclose(task.Linear.weight!), "clean fp16 steps update the weights");
    }

    [Fact]
    public void Run_Bf16_LossAndValidationRunUnderAutocast()
    {
        using var task = new RegressionTask(_ => TwoQuads);

        new Trainer(task, new TrainerOptions { MaxSteps = 2, Amp = AmpMode.Bf16 }).Run();

        Assert.Equal([ScalarType.BFloat16, ScalarType.BFloat16], task.AutocastInLoss);
        Assert.Equal([ScalarType.BFloat16], task.AutocastInValidation);
        Assert.False(Core.Amp.Autocast.IsActive, "the region ends with the run");
    }

    [Fact]
    public void Run_Cancelled_ReportsFailedAndThrows()
    {
        using var task = new RegressionTask(_ => TwoQuads);
        var sink = new RecordingProgressSink();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new Trainer(task, new TrainerOptions { MaxSteps = 5 }, sink: sink).Run(cts.Token));

        Assert.Equal("cancelled", Assert.IsType<FailedEvent>(sink.Events[^1]).Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double atol = 1e-6)
        => Assert.True(expected.allclose(actual, rtol: 0, atol: atol), $"expected {expected.ToString(TorchSharp.TensorStringStyle.Julia)} got {actual.ToString(TorchSharp.TensorStringStyle.Julia)}");
}
