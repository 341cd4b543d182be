using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Training.Tests.Phases;

namespace PhoenixSlt.Training.Tests.Resume;

/// Exact resume of a whole slt run (tiny preset, dropout on, corpus tokenizer, length-bucketed batches) through
/// <c>TrainingSession.Create(spec, resume: true)</c>: stopped mid-epoch and resumed, it ends bit-identical to the run that was
/// never stopped (see <see cref="TrainerResumeTests"/> for why bit-identical is the right expectation).
[Collection(SerialTrainingCollection.Name)]
public sealed class SessionResumeTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    /// 12 clips in batches of 6: 2 steps per epoch, 4 in all; last/ after every step; the one validation is kept to
    /// the end of the run for speed.
    private RunSpec Options(string outDir) => new()
    {
        Phase = TrainingPhaseNames.Slt,
        Data = dataset.DataDir,
        Out = outDir,
        Epochs = 2,
        BatchSize = 6,
        LrEncoder = 1e-3,
        WarmupSteps = 2,
        Dropout = 0.2,
        Beams = 1,
        MaxFrames = 8,
        LogEvery = 1,
        SaveEvery = 1,
        EvalEvery = 100,
        Seed = 5,
    };

    private static Dictionary<string, float[]> Parameters(TrainingSession session)
        => session.Task.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    [Fact]
    public void Run_SltResumedMidEpoch_EndsWithBitIdenticalParameters()
    {
        using var temp = new TempFolder("phoenix-resume-slt");
        Dictionary<string, float[]> expected;
        using (var session = TrainingSession.Create(Options(temp.Combine("whole"))))
        {
            session.Run();
            expected = Parameters(session);
        }

        string outDir = temp.Combine("stopped");
        using (var session = TrainingSession.Create(Options(outDir)))
        using (var cancellation = new CancellationTokenSource())
        {
            var sink = new CancelAfter(3, cancellation);
            Assert.Throws<OperationCanceledException>(() => session.Run(sink: sink, cancellationToken: cancellation.Token));
        }
        using (var saved = TrainerCheckpoint.Load(Path.Combine(outDir, CheckpointFolder.Last))!)
            Assert.Equal((3L, 1, 1L), (saved.State.Step, saved.State.Epoch, saved.State.BatchInEpoch));

        using (var session = TrainingSession.Create(Options(outDir), resume: true))
        {
            var result = session.Run();
            Assert.Equal(4, result.Steps);
            var actual = Parameters(session);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, values) in expected)
                Assert.True(values.SequenceEqual(actual[name]), $"{name} differs from the uninterrupted run");
        }
    }

    private sealed class CancelAfter(long step, CancellationTokenSource cancellation) : IProgressSink
    {
        public void Report(ProgressEvent progressEvent)
        {
            if (progressEvent is StepEvent e && e.Step == step)
                cancellation.Cancel();
        }
    }
}
