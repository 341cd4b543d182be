using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Training.Tests.Phases;

namespace PhoenixSlt.Training.Tests.Events;

/// The throttle of progress reports, the split-level clip count of a rank's share, and the validation_progress events
/// of a real (tiny) slt validation.
[Collection(SerialTrainingCollection.Name)]
public sealed class ValidationProgressTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Throttle_OneSecond_ReportsTheFirstTheLastAndOnePerSecondBetween()
    {
        var throttle = new ProgressThrottle(S(1));

        bool[] reported =
        [
            throttle.ShouldReport(S(0), 0, 10),     // first: always
            throttle.ShouldReport(S(0.4), 1, 10),   // 0.4 s after the last report
            throttle.ShouldReport(S(0.99), 2, 10),  // 0.99 s
            throttle.ShouldReport(S(1.0), 3, 10),   // 1 s: due
            throttle.ShouldReport(S(1.5), 4, 10),   // 0.5 s after the report at 1.0
            throttle.ShouldReport(S(1.6), 10, 10),  // the last: always
        ];

        Assert.Equal([true, false, false, true, false, true], reported);
    }

    [Fact]
    public void Throttle_ZeroInterval_ReportsEveryCall()
    {
        var throttle = new ProgressThrottle(TimeSpan.Zero);

        Assert.All(Enumerable.Range(0, 5), i => Assert.True(throttle.ShouldReport(S(0), i, 4)));
    }

    [Fact]
    public void Throttle_NegativeInterval_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressThrottle(S(-1)));

    [Theory]
    [InlineData(0, 4, 8, 0)]   // nothing done
    [InlineData(2, 4, 8, 4)]   // half of the share: half of the split
    [InlineData(1, 3, 8, 2)]   // a third of 8, rounded down
    [InlineData(4, 4, 8, 8)]   // the share done: the whole split
    [InlineData(5, 5, 5, 5)]   // one process: the share is the split
    public void OfShare_ScalesTheShareToTheSplit(int shareDone, int shareTotal, int split, int expected)
        => Assert.Equal(new ValidationCount(expected, split), ValidationCount.OfShare(shareDone, shareTotal, split));

    [Fact]
    public void Trainer_TinySltValidationOneClipPerBatch_ReportsEveryClipUpToTheSplitThenTheEval()
    {
        using var temp = new TempFolder();
        var spec = new RunSpec
        {
            Phase = TrainingPhase.Slt.ToName(), Data = dataset.DataDir, Out = temp.Path, MaxSteps = 2, EvalEvery = 1,
            BatchSize = 4, EvalBatchSize = 1, Beams = 1, LogEvery = 1, LoaderWorkers = 0,
        };
        using var session = TrainingSession.Create(spec);
        var sink = new RecordingProgressSink();

        new Trainer(session.Task, session.TrainerOptions with { ValidationProgressInterval = TimeSpan.Zero }, sink: sink).Run();

        const int devClips = 4;                                   // SyntheticDatasetFixture's dev split, one clip per batch
        var events = sink.Events;
        var evalIndexes = events.Select((e, i) => (e, i)).Where(x => x.e is EvalEvent).Select(x => x.i).ToList();
        Assert.Equal(2, evalIndexes.Count);                       // validations at steps 1 and 2
        int from = 0;
        foreach (int evalIndex in evalIndexes)
        {
            var progress = events.Take(evalIndex).Skip(from).OfType<ValidationProgressEvent>().ToList();
            var eval = (EvalEvent)events[evalIndex];
            Assert.Equal(Enumerable.Range(0, devClips + 1), progress.Select(p => p.ClipsDone));   // 0, then one per clip
            Assert.All(progress, p => Assert.Equal(devClips, p.ClipsTotal));
            Assert.All(progress, p => Assert.Equal(eval.Step, p.Step));
            Assert.All(progress, p => Assert.Equal("slt", p.Phase));
            Assert.True(progress.Zip(progress.Skip(1)).All(pair => pair.First.ElapsedS <= pair.Second.ElapsedS), "elapsed time never goes back");
            Assert.All(progress.Skip(1), p => Assert.True(p.EtaS is >= 0, $"eta {p.EtaS} once a clip is done"));
            from = evalIndex + 1;
        }
        // the last validation's final report: no step and no validation left, so nothing remains
        Assert.Equal(0, events.OfType<ValidationProgressEvent>().Last().EtaS);
    }

    [Fact]
    public void Trainer_DefaultInterval_StillReportsTheStartAndTheEndOfEachValidation()
    {
        using var temp = new TempFolder();
        var spec = new RunSpec
        {
            Phase = TrainingPhase.Slt.ToName(), Data = dataset.DataDir, Out = temp.Path, MaxSteps = 1,
            BatchSize = 4, EvalBatchSize = 1, Beams = 1, LogEvery = 1, LoaderWorkers = 0,
        };
        using var session = TrainingSession.Create(spec);
        var sink = new RecordingProgressSink();

        session.Run(sink: sink);

        var progress = sink.Events.OfType<ValidationProgressEvent>().ToList();
        Assert.Equal(0, progress[0].ClipsDone);
        Assert.Equal(4, progress[^1].ClipsDone);
        Assert.InRange(progress.Count, 2, 5);
        Assert.IsType<EvalEvent>(sink.Events.SkipWhile(e => e is not ValidationProgressEvent).SkipWhile(e => e is ValidationProgressEvent).First());
    }
}
